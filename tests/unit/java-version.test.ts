/**
 * The local host's Java check: the version comes from the Java's `release` file when it has one (no
 * JVM start), from `java -version` otherwise, and a missing or too old Java is named in one line.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertJava, javaMajorVersion } from '../../lib/local/dynamodb-local.ts';

const root = mkdtempSync(join(tmpdir(), 'comeback-java-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A Java home with a `bin/java` that prints `printed` as `java -version` does, and a release file if given. */
function javaHome(name: string, printed: string, release?: string): string {
  const home = join(root, name);
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(join(home, 'bin', 'java'), `#!/bin/sh\necho '${printed}' >&2\n`);
  chmodSync(join(home, 'bin', 'java'), 0o755);
  if (release !== undefined) writeFileSync(join(home, 'release'), release);
  return join(home, 'bin');
}

describe('the Java check', () => {
  it('reads the version from the release file, through a link on the PATH, without starting the JVM', () => {
    // The java here would print 11: the release file's 21 is what is read.
    const bin = javaHome('jdk-21', 'openjdk version "11.0.2" 2019-01-15', 'IMPLEMENTOR="Debian"\nJAVA_VERSION="21.0.4"\n');
    const links = join(root, 'links');
    mkdirSync(links, { recursive: true });
    symlinkSync(join(bin, 'java'), join(links, 'java'));
    expect(javaMajorVersion(links)).toBe(21);
  });

  it('asks `java -version` when there is no release file', () => {
    expect(javaMajorVersion(javaHome('jre-17', 'openjdk version "17.0.15" 2025-04-15'))).toBe(17);
    expect(javaMajorVersion(javaHome('jre-8', 'java version "1.8.0_402"'))).toBe(8);
  });

  it('names a missing or too old Java in one line', () => {
    const path = process.env['PATH'];
    try {
      process.env['PATH'] = join(root, 'nothing-here');
      expect(() => assertJava()).toThrow(/^DynamoDB Local needs Java 17 or newer on the PATH \(for example: apt-get install openjdk-17-jre-headless\)$/);
      process.env['PATH'] = javaHome('jdk-11', 'ignored', 'JAVA_VERSION="11.0.2"\n');
      expect(() => assertJava()).toThrow(/^DynamoDB Local needs Java 17 or newer; this machine has Java 11$/);
    } finally {
      process.env['PATH'] = path;
    }
  });
});
