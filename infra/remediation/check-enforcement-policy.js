#!/usr/bin/env node
// Proves the synthesized EnforceMfa policy does what docs/remediation.md says, with a real IAM policy evaluator
// (@cloud-copilot/iam-simulate): a table of requests by the user alice, each with the decision it must get.
//
// The policy is taken from the template CDK wrote (the AWS::IAM::ManagedPolicy under /mfa-config-rule/), with the
// partition and account filled in. Every row is evaluated twice: with the enforcement policy alone, and beside a policy
// that allows everything (an administrator), because a Deny must win over whatever else the user has.
//
// A template with conditions (the per-account template: one policy, its statements an Fn::If on DenyAccessKeys) is read
// with the conditions named in the third argument true and every other one false, as CloudFormation would decide them.
//
// Usage: node infra/remediation/check-enforcement-policy.js <stack.template.json> <access-keys: allowed|denied> [TRUE_CONDITION,...]
// Exit status 1 on any row whose decision differs, or when the template has no enforcement policy.
'use strict';

const fs = require('node:fs');
const { runSimulation } = require('@cloud-copilot/iam-simulate');
const { ALLOW_EVERYTHING } = require('../policy-check/template-reading');

const ACCOUNT = '123456789012';
const USER = 'alice';
const ARN = (resource) => `arn:aws:iam::${ACCOUNT}:${resource}`;

const NO_VALUE = Symbol('AWS::NoValue');
let trueConditions = new Set();

function resolve(value) {
  if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  if ('Fn::If' in value) {
    const [condition, whenTrue, whenFalse] = value['Fn::If'];
    return resolve(trueConditions.has(condition) ? whenTrue : whenFalse);
  }
  if (value.Ref === 'AWS::NoValue') return NO_VALUE;
  if ('Ref' in value) {
    const known = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'eu-west-1', 'AWS::URLSuffix': 'amazonaws.com' };
    if (!(value.Ref in known)) throw new Error(`cannot resolve Ref ${value.Ref} in the enforcement policy`);
    return known[value.Ref];
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return resolve(parts).join(separator);
  }
  const keys = Object.keys(value);
  if (keys.some((k) => k.startsWith('Fn::'))) throw new Error(`cannot resolve ${JSON.stringify(value)} in the enforcement policy`);
  return Object.fromEntries(keys.map((k) => [k, resolve(value[k])]).filter(([, v]) => v !== NO_VALUE));
}

function enforcementPolicy(templateFile) {
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  const policies = Object.entries(template.Resources ?? {}).filter(
    ([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties?.Path === '/mfa-config-rule/');
  if (policies.length !== 1) throw new Error(`${templateFile}: expected one AWS::IAM::ManagedPolicy under /mfa-config-rule/, found ${policies.length}`);
  return resolve(policies[0][1].Properties.PolicyDocument);
}

// How a request is signed: a console session without MFA, one with MFA, or the user's long-term access key (no
// aws:MultiFactorAuthPresent at all).
const SESSIONS = {
  console: { 'aws:MultiFactorAuthPresent': 'false' },
  mfa: { 'aws:MultiFactorAuthPresent': 'true' },
  accessKey: {},
};

// [session, action, resource, decision with the enforcement policy alone, decision beside an allow-everything policy]
function table(accessKeys) {
  const own = ARN(`user/${USER}`);
  const bob = ARN('user/bob');
  const keyDecision = accessKeys === 'denied' ? 'ExplicitlyDenied' : 'Allowed';
  const keyDecisionAlone = accessKeys === 'denied' ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
  return [
    // A console session without MFA: own password and own MFA device, nothing else.
    ['console', 'iam:ChangePassword', own, 'Allowed', 'Allowed'],
    ['console', 'iam:GetUser', own, 'Allowed', 'Allowed'],
    ['console', 'iam:GetLoginProfile', own, 'Allowed', 'Allowed'],
    ['console', 'iam:GetAccountPasswordPolicy', '*', 'Allowed', 'Allowed'],
    ['console', 'iam:ListMFADevices', own, 'Allowed', 'Allowed'],
    ['console', 'iam:ListVirtualMFADevices', '*', 'Allowed', 'Allowed'],
    ['console', 'iam:CreateVirtualMFADevice', ARN(`mfa/${USER}`), 'Allowed', 'Allowed'],
    ['console', 'iam:EnableMFADevice', own, 'Allowed', 'Allowed'],
    ['console', 'iam:ResyncMFADevice', own, 'Allowed', 'Allowed'],
    ['console', 'iam:ChangePassword', ARN(`user/ops/${USER}`), 'Allowed', 'Allowed'],
    ['console', 'iam:EnableMFADevice', bob, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:ResyncMFADevice', bob, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:ListMFADevices', bob, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:GetLoginProfile', bob, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:DeactivateMFADevice', own, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:DeleteVirtualMFADevice', ARN(`mfa/${USER}`), 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:DetachUserPolicy', own, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:CreateAccessKey', own, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:CreateLoginProfile', bob, 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'iam:ListUsers', '*', 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 's3:ListAllMyBuckets', '*', 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'sts:AssumeRole', ARN('role/admin'), 'ExplicitlyDenied', 'ExplicitlyDenied'],
    ['console', 'ec2:DescribeInstances', '*', 'ExplicitlyDenied', 'ExplicitlyDenied'],
    // Signed in with MFA: the policy restricts nothing (what the user may do is up to their other policies).
    ['mfa', 's3:ListAllMyBuckets', '*', 'ImplicitlyDenied', 'Allowed'],
    ['mfa', 'iam:ListUsers', '*', 'ImplicitlyDenied', 'Allowed'],
    ['mfa', 'sts:AssumeRole', ARN('role/admin'), 'ImplicitlyDenied', 'Allowed'],
    ['mfa', 'iam:DeactivateMFADevice', own, 'ImplicitlyDenied', 'Allowed'],
    ['mfa', 'iam:ChangePassword', own, 'Allowed', 'Allowed'],
    // The user's long-term access keys: untouched by default, denied with mfaRule:remediationDenyAccessKeys=true.
    ['accessKey', 's3:ListAllMyBuckets', '*', keyDecisionAlone, keyDecision],
    ['accessKey', 'iam:ListUsers', '*', keyDecisionAlone, keyDecision],
    ['accessKey', 'sts:AssumeRole', ARN('role/admin'), keyDecisionAlone, keyDecision],
    ['accessKey', 'sts:GetSessionToken', '*', 'ImplicitlyDenied', 'Allowed'],
  ];
}


async function decide(policies, session, action, resource) {
  const response = await runSimulation({
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: ARN(`user/${USER}`),
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: { 'aws:username': USER, ...SESSIONS[session] },
    },
  }, {});
  if (response.resultType === 'error') throw new Error(`${action} on ${resource}: the simulator refused the request: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

async function main() {
  const [templateFile, accessKeys, conditions] = process.argv.slice(2);
  if (!templateFile || !['allowed', 'denied'].includes(accessKeys)) {
    console.error('usage: check-enforcement-policy.js <stack.template.json> <allowed|denied> [TRUE_CONDITION,...]');
    process.exit(2);
  }
  trueConditions = new Set((conditions ?? '').split(',').filter((c) => c.length > 0));
  const policy = { name: 'mfa-config-rule-enforce-mfa', policy: enforcementPolicy(templateFile) };
  const admin = { name: 'allow-everything', policy: ALLOW_EVERYTHING };
  const failures = [];
  let rows = 0;
  for (const [session, action, resource, alone, withAdmin] of table(accessKeys)) {
    for (const [label, policies, expected] of [['alone', [policy], alone], ['beside allow-everything', [policy, admin], withAdmin]]) {
      rows += 1;
      const actual = await decide(policies, session, action, resource);
      if (actual !== expected) failures.push(`${session} ${action} on ${resource} (${label}): expected ${expected}, got ${actual}`);
    }
  }
  for (const failure of failures) console.error(failure);
  console.log(`enforcement policy (access keys ${accessKeys}): ${rows} decisions checked, ${failures.length} wrong`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
