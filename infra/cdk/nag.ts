/**
 * cdk-nag (v3) acknowledgments: each finding the app accepts, with its reason, on the construct it concerns (and so on
 * that construct's children). The tests run the AWS Solutions checks and fail on any finding left unexplained.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A rule id (e.g. `AwsSolutions-IAM5[Resource::*]` for one finding of a rule) and why it is accepted. */
export interface Acceptance {
  id: string;
  reason: string;
}

export function accept(scope: IConstruct, ...acceptances: Acceptance[]): void {
  for (const a of acceptances) Validations.of(scope).acknowledge(a);
}
