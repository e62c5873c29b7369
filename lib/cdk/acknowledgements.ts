/**
 * Acknowledging the AwsSolutions-IAM5 findings that cannot be avoided, one resource at a time.
 *
 * IAM5 reports each wildcard resource of a policy separately, as `Resource::<the ARN>` with
 * CloudFormation references written `<AWS::Region>`, `<LogicalId.Attribute>` and so on. An
 * acknowledgement names exactly one such finding, so a new wildcard that nobody reviewed is still
 * reported. The ARN is rendered here the same way, from the value the policy holds.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A resolved CloudFormation value as cdk-nag writes it in a finding. */
function flatten(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value !== 'object') return String(value);
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) return flatten(node['Fn::Sub']);
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue'] !== undefined) return flatten(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}

/** The IAM5 finding id of one wildcard resource, as it appears in the policy of `scope`'s stack. */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges the IAM5 finding of each resource on `scope` (the policy or role holding them). */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  for (const id of new Set(resources.map((resource) => wildcardResourceFinding(scope, resource)))) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}
