/* global module */
// What a bundle gets for a module it must not carry (lib/cdk/function-bundle.ts, ABSENT_MODULES): an
// empty module, so that the optional feature that needs it falls back as it does without it.
module.exports = {};
