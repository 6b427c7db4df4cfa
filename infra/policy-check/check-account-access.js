#!/usr/bin/env node
// Proves the per-account template (MfaConfigRuleAccount) keeps each account to itself, with a real IAM policy evaluator
// (@cloud-copilot/iam-simulate): a table of requests, each with the decision it must get.
//
//   - The evaluate function's role (and the re-evaluation trigger's) reads IAM users of its own account only: the same
//     read of a user of another account is denied by the role's own policy, even where that account would admit it (the
//     rows give the other side an open resource policy, so only the role's policy can say no). No role of the template
//     may assume any role (sts:AssumeRole), in its account or another.
//   - The evaluate function's resource policy (the template's AWS::Lambda::Permission on it, written as Lambda writes it)
//     admits config.amazonaws.com only for this account's own Config rules (aws:SourceAccount, aws:SourceArn): another
//     account's Config, another service, and principals of other accounts are denied.
//
//   - Remediation (its resources exist only with Remediation=manual|automatic; read here with every condition true, so
//     EnforceMfa): the remediate function's role reads and changes users of its own account only, and attaches no policy
//     but the template's enforcement policy (iam:PolicyARN); the role SSM Automation runs as may invoke the remediate
//     function and no other.
//
//   - With the Organization's admin template (per-account evaluation): the code bucket's policy lets principals of the
//     Organization read the package (s3:GetObject, s3:GetObjectVersion) over TLS only, and nobody else, nor write it.
//
// Usage: node infra/policy-check/check-account-access.js <MfaConfigRuleAccount.template.json> [<admin template>]
// Exit status 1 on any row whose decision differs, or when the template lacks what the table needs.
'use strict';

const fs = require('node:fs');
const { runSimulation } = require('@cloud-copilot/iam-simulate');
const { ALLOW_EVERYTHING, resourcesOf, one, permissionStatement } = require('./template-reading');

const ACCOUNT = '222222222222';
const FOREIGN = '999999999999';
const REGION = 'eu-west-1';
const ORGANIZATION = 'o-a1b2c3d4e5';
const FOREIGN_ORGANIZATION = 'o-z9y8x7w6v5';
const ADMIN = '111111111111';

// Fills in what CloudFormation would in ACCOUNT/REGION: pseudo parameters, the template's parameters (their defaults,
// or a stand-in for the code's bucket and key), a role's or function's ARN by its name or logical ID, Fn::If by its
// condition (every optional part on).
function resolver(template) {
  const resources = template.Resources ?? {};
  const parameters = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, p.Default ?? `stand-in-${name.toLowerCase()}`]));
  const resolve = (value) => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com' };
      if (value.Ref in pseudo) return pseudo[value.Ref];
      if (value.Ref in parameters) return parameters[value.Ref];
      // A managed policy's Ref is its ARN (ArnEquals on iam:PolicyARN needs one); any other resource stands as its logical ID.
      if (resources[value.Ref]?.Type === 'AWS::IAM::ManagedPolicy') return `arn:aws:iam::${ACCOUNT}:policy${resources[value.Ref].Properties.Path ?? '/'}${value.Ref}`;
      if (resources[value.Ref]) return value.Ref;
      throw new Error(`cannot resolve Ref ${value.Ref}`);
    }
    if ('Fn::GetAtt' in value) {
      const [logicalId, attribute] = value['Fn::GetAtt'];
      const resource = resources[logicalId];
      if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
      if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${resource.Properties.FunctionName ?? logicalId}`;
      }
      if (resource?.Type === 'AWS::Config::ConfigRule' && attribute === 'Arn') return `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-abc123`;
      if (resource && attribute === 'Arn') return `arn:aws:${resource.Type.split('::')[1].toLowerCase()}:${REGION}:${ACCOUNT}:${logicalId}`;
      throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return resolve(parts).join(separator);
    }
    if ('Fn::If' in value) return resolve(value['Fn::If'][1]);
    const keys = Object.keys(value);
    if (keys.some((k) => k.startsWith('Fn::'))) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    return Object.fromEntries(keys.map((k) => [k, resolve(value[k])]));
  };
  return resolve;
}

// Every role of the template with its identity policies (AWS::IAM::Policy attached to it, and inline ones).
function roles(template, resolve) {
  return resourcesOf(template, 'AWS::IAM::Role').map(([roleId, role]) => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === roleId))
      .map(([id, p]) => ({ name: id, policy: resolve(p.Properties.PolicyDocument) }));
    for (const inline of role.Properties.Policies ?? []) policies.push({ name: inline.PolicyName, policy: resolve(inline.PolicyDocument) });
    if ((role.Properties.ManagedPolicyArns ?? []).length > 0) throw new Error(`${roleId} has managed policies the check cannot read`);
    return { roleId, policies, session: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleId}/session` };
  });
}

function functionRunningAs(template, handler) {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Handler === handler);
  if (found.length !== 1) throw new Error(`expected one function with handler ${handler}, found ${found.length}`);
  const [functionId, fn] = found[0];
  return { functionId, roleId: fn.Properties.Role['Fn::GetAtt'][0], name: fn.Properties.FunctionName };
}

function open(principalArn, action) {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principalArn }, Action: action, Resource: '*' }] };
}

// [label, principal, identity policies, action, resource ARN, resource policy, context, expected]
function roleTable(role, kind) {
  const user = (account) => `arn:aws:iam::${account}:user/alice`;
  const rows = [];
  const reads = kind === 'evaluate' ? ['iam:GetUser', 'iam:GetLoginProfile', 'iam:ListMFADevices', 'iam:ListUserTags'] : ['iam:GetUser'];
  for (const action of reads) {
    rows.push([`${kind} role: ${action} on a user of its own account`, role.session, role.policies, action, user(ACCOUNT), undefined, {}, 'Allowed']);
    rows.push([`${kind} role: ${action} on a user of another account that would admit it`, role.session, role.policies, action, user(FOREIGN),
      open(role.session, action), {}, 'ImplicitlyDenied']);
  }
  rows.push([`${kind} role: sts:AssumeRole on a role of another account that trusts it`, role.session, role.policies, 'sts:AssumeRole',
    `arn:aws:iam::${FOREIGN}:role/OrganizationAccountAccessRole`, open(role.session, 'sts:AssumeRole'), {}, 'ImplicitlyDenied']);
  // A trust naming the account (not the role itself, which would grant it alone): only the role's policy could allow it.
  rows.push([`${kind} role: sts:AssumeRole on a role of its own account that trusts the account`, role.session, role.policies, 'sts:AssumeRole',
    `arn:aws:iam::${ACCOUNT}:role/Admin`, open(`arn:aws:iam::${ACCOUNT}:root`, 'sts:AssumeRole'), {}, 'ImplicitlyDenied']);
  return rows;
}

// The remediate role and Automation's role, as the template's Fn::If resolve with every condition true (EnforceMfa).
function remediationTable(template, resolve, all, evaluateArn) {
  const remediate = functionRunningAs(template, 'remediate');
  const role = all.find((r) => r.roleId === remediate.roleId);
  if (!role || role.policies.length === 0) throw new Error(`no identity policy is attached to the remediate role ${remediate.roleId}`);
  const remediateArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${remediate.name ?? remediate.functionId}`;
  const [policyId] = one(resourcesOf(template, 'AWS::IAM::ManagedPolicy').filter(([, p]) => p.Properties.Path === '/mfa-config-rule/'), 'enforcement policy');
  const enforcement = resolve({ Ref: policyId });
  const user = (account) => `arn:aws:iam::${account}:user/alice`;
  const invokers = resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(`"Fn::GetAtt":["${remediate.functionId}","Arn"]`))
    .flatMap(([, p]) => (p.Properties.Roles ?? []).map((r) => r.Ref));
  const automation = all.find((r) => r.roleId === one(invokers, 'role allowed to invoke the remediate function'));
  return [
    ['remediate role: iam:GetUser on a user of its own account', role.session, role.policies, 'iam:GetUser', user(ACCOUNT), undefined, {}, 'Allowed'],
    ['remediate role: iam:GetUser on a user of another account that would admit it', role.session, role.policies, 'iam:GetUser', user(FOREIGN),
      open(role.session, 'iam:GetUser'), {}, 'ImplicitlyDenied'],
    ['remediate role: attaches the enforcement policy to a user of its own account', role.session, role.policies, 'iam:AttachUserPolicy', user(ACCOUNT),
      undefined, { 'iam:PolicyARN': enforcement }, 'Allowed'],
    ['remediate role: attaches AdministratorAccess to a user of its own account', role.session, role.policies, 'iam:AttachUserPolicy', user(ACCOUNT),
      undefined, { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }, 'ImplicitlyDenied'],
    ['remediate role: attaches the enforcement policy to a user of another account that would admit it', role.session, role.policies, 'iam:AttachUserPolicy',
      user(FOREIGN), open(role.session, 'iam:AttachUserPolicy'), { 'iam:PolicyARN': enforcement }, 'ImplicitlyDenied'],
    ['remediate role (EnforceMfa): deletes a console password', role.session, role.policies, 'iam:DeleteLoginProfile', user(ACCOUNT), undefined, {}, 'ImplicitlyDenied'],
    ['automation role: invokes the remediate function', automation.session, automation.policies, 'lambda:InvokeFunction', remediateArn, undefined, {}, 'Allowed'],
    ['automation role: invokes the evaluate function', automation.session, automation.policies, 'lambda:InvokeFunction', evaluateArn, undefined, {}, 'ImplicitlyDenied'],
  ];
}

function invokeTable(functionArn, functionPolicy) {
  const ownRule = `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-abc123`;
  const foreignRule = `arn:aws:config:${REGION}:${FOREIGN}:config-rule/config-rule-xyz789`;
  const admin = [{ name: 'allow-everything', policy: ALLOW_EVERYTHING }];
  return [
    ['invoke: Config of this account, for its rule', 'config.amazonaws.com', [], functionArn,
      { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ownRule }, 'Allowed'],
    ['invoke: Config of another account, for its rule', 'config.amazonaws.com', [], functionArn,
      { 'aws:SourceAccount': FOREIGN, 'aws:SourceArn': foreignRule }, 'ImplicitlyDenied'],
    ['invoke: Config of another account naming this account\'s rule', 'config.amazonaws.com', [], functionArn,
      { 'aws:SourceAccount': FOREIGN, 'aws:SourceArn': ownRule }, 'ImplicitlyDenied'],
    ['invoke: Config of this account, for a rule of another Region', 'config.amazonaws.com', [], functionArn,
      { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ownRule.replace(REGION, 'us-east-1') }, 'ImplicitlyDenied'],
    ['invoke: EventBridge of this account', 'events.amazonaws.com', [], functionArn,
      { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/anything` }, 'ImplicitlyDenied'],
    ['invoke: an administrator of another account', `arn:aws:sts::${FOREIGN}:assumed-role/Admin/mallory`, admin, functionArn, {}, 'ImplicitlyDenied'],
  ].map(([label, principal, policies, arn, context, expected]) => [label, principal, policies, 'lambda:InvokeFunction', arn, functionPolicy, context, expected]);
}

// The code bucket of the admin template: its policy, the package's key prefix, resolved as CloudFormation would in ADMIN.
function codeBucketSide(adminFile) {
  const admin = JSON.parse(fs.readFileSync(adminFile, 'utf8'));
  const resources = admin.Resources ?? {};
  const resolve = (value) => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': ADMIN, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com' };
      if (value.Ref in pseudo) return pseudo[value.Ref];
      if (resources[value.Ref]?.Type === 'AWS::S3::Bucket') return value.Ref.toLowerCase();
      throw new Error(`cannot resolve Ref ${value.Ref}`);
    }
    if ('Fn::GetAtt' in value) {
      const [logicalId, attribute] = value['Fn::GetAtt'];
      const type = resources[logicalId]?.Type ?? '';
      if (type === 'AWS::S3::Bucket' && attribute === 'Arn') return `arn:aws:s3:::${logicalId.toLowerCase()}`;
      if (type === 'Custom::OrganizationId' && attribute === 'Id') return ORGANIZATION;
      throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${type || 'no such resource'})`);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return resolve(parts).join(separator);
    }
    const keys = Object.keys(value);
    if (keys.some((k) => k.startsWith('Fn::'))) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    return Object.fromEntries(keys.map((k) => [k, resolve(value[k])]));
  };
  const [, stackSet] = one(resourcesOf(admin, 'AWS::CloudFormation::StackSet'), 'StackSet');
  const parameter = (name) => (stackSet.Properties.Parameters ?? []).find((p) => p.ParameterKey === name)?.ParameterValue;
  const bucketRef = parameter('CodeBucket')?.Ref;
  if (!bucketRef || resources[bucketRef]?.Type !== 'AWS::S3::Bucket') throw new Error('the StackSet passes no CodeBucket of a bucket of the admin template');
  const [, policy] = one(resourcesOf(admin, 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket?.Ref === bucketRef), `policy of the bucket ${bucketRef}`);
  const key = parameter('CodeKey');
  if (typeof key !== 'string') throw new Error('the StackSet passes no literal CodeKey');
  return { objectArn: `arn:aws:s3:::${bucketRef.toLowerCase()}/${key}`, bucketPolicy: resolve(policy.Properties.PolicyDocument) };
}

function bucketTable({ objectArn, bucketPolicy }) {
  const member = `arn:aws:sts::${ACCOUNT}:assumed-role/stacksets-exec-0123456789abcdef/session`;
  const stranger = `arn:aws:sts::${FOREIGN}:assumed-role/Admin/mallory`;
  const admin = [{ name: 'allow-everything', policy: ALLOW_EVERYTHING }];
  const inOrganization = { 'aws:PrincipalOrgID': ORGANIZATION, 'aws:SecureTransport': 'true' };
  const otherObject = objectArn.replace(/\/mfa-config-rule\/.*$/, '/other/file.zip');
  return [
    ['code bucket: a member\'s StackSet role reads the package', member, admin, 's3:GetObject', objectArn, inOrganization, 'Allowed'],
    ['code bucket: a member\'s StackSet role reads the package\'s version', member, admin, 's3:GetObjectVersion', objectArn, inOrganization, 'Allowed'],
    ['code bucket: a member reads it without TLS', member, admin, 's3:GetObject', objectArn, { ...inOrganization, 'aws:SecureTransport': 'false' }, 'ExplicitlyDenied'],
    ['code bucket: a member writes the package', member, admin, 's3:PutObject', objectArn, inOrganization, 'ImplicitlyDenied'],
    ['code bucket: a member reads an object outside the package prefix', member, admin, 's3:GetObject', otherObject, inOrganization, 'ImplicitlyDenied'],
    ['code bucket: an account of another Organization reads the package', stranger, admin, 's3:GetObject', objectArn,
      { 'aws:PrincipalOrgID': FOREIGN_ORGANIZATION, 'aws:SecureTransport': 'true' }, 'ImplicitlyDenied'],
    ['code bucket: an account in no Organization reads the package', stranger, admin, 's3:GetObject', objectArn, { 'aws:SecureTransport': 'true' }, 'ImplicitlyDenied'],
  ].map(([label, principal, policies, action, arn, context, expected]) => [label, principal, policies, action, arn, bucketPolicy, context, expected]);
}

async function decide(principal, identityPolicies, action, resourceArn, resourcePolicy, context) {
  const response = await runSimulation({
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
    request: {
      principal,
      action,
      resource: { resource: resourceArn, accountId: resourceArn.split(':')[4] },
      contextVariables: context,
    },
  }, {});
  if (response.resultType === 'error') throw new Error(`${principal} ${action} ${resourceArn}: the simulator refused the request: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

async function main() {
  const [file, adminFile] = process.argv.slice(2);
  if (!file) {
    console.error('usage: check-account-access.js <MfaConfigRuleAccount.template.json> [<admin template>]');
    process.exit(2);
  }
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  const resolve = resolver(template);
  const all = roles(template, resolve);
  const evaluate = functionRunningAs(template, 'evaluate');
  const trigger = functionRunningAs(template, 'trigger');
  const rows = [];
  for (const [kind, fn] of [['evaluate', evaluate], ['trigger', trigger]]) {
    const role = all.find((r) => r.roleId === fn.roleId);
    if (!role || role.policies.length === 0) throw new Error(`no identity policy is attached to the ${kind} role ${fn.roleId}`);
    rows.push(...roleTable(role, kind));
  }
  // No role of the template, whatever it is for, may assume a role of another account.
  for (const role of all.filter((r) => r.roleId !== evaluate.roleId && r.roleId !== trigger.roleId)) {
    rows.push([`${role.roleId}: sts:AssumeRole on a role of another account that trusts it`, role.session, role.policies, 'sts:AssumeRole',
      `arn:aws:iam::${FOREIGN}:role/OrganizationAccountAccessRole`, open(role.session, 'sts:AssumeRole'), {}, 'ImplicitlyDenied']);
  }
  const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${evaluate.name ?? evaluate.functionId}`;
  const permissions = resourcesOf(template, 'AWS::Lambda::Permission')
    .filter(([, p]) => p.Properties.FunctionName?.['Fn::GetAtt']?.[0] === evaluate.functionId);
  if (permissions.length === 0) throw new Error(`no AWS::Lambda::Permission on the evaluate function ${evaluate.functionId}`);
  const functionPolicy = { Version: '2012-10-17', Statement: permissions.map(([, p]) => permissionStatement(p, resolve, functionArn)) };
  const invokeRows = invokeTable(functionArn, functionPolicy);
  rows.push(...invokeRows);
  const remediationRows = remediationTable(template, resolve, all, functionArn);
  rows.push(...remediationRows);
  const bucketRows = adminFile ? bucketTable(codeBucketSide(adminFile)) : [];
  rows.push(...bucketRows);

  const failures = [];
  for (const [label, principal, policies, action, resourceArn, resourcePolicy, context, expected] of rows) {
    const actual = await decide(principal, policies, action, resourceArn, resourcePolicy, context);
    if (actual !== expected) failures.push(`${label}: expected ${expected}, got ${actual}`);
  }
  for (const failure of failures) console.error(failure);
  console.log(`per-account access: ${rows.length} decisions checked, ${failures.length} wrong (${invokeRows.length} of them lambda:InvokeFunction on the evaluate function, ${remediationRows.length} on remediation` +
    (adminFile ? `, ${bucketRows.length} on the code bucket)` : ')'));
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
