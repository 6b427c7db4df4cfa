#!/usr/bin/env node
// Proves the Organization deployment's cross-account access is what docs/organization.md says, with a real IAM policy evaluator
// (@cloud-copilot/iam-simulate): a table of sts:AssumeRole requests, each with the decision it must get.
//
// Both sides of the hop are taken from the synthesized templates: the central role's identity policies (every
// AWS::IAM::Policy of the admin template attached to the role the StackSet passes as CentralRoleArn) and the member
// role's trust policy (the member template's AWS::IAM::Role named by the central function's MFA_RULE_MEMBER_ROLE_NAME),
// with the member template's parameters filled in from the StackSet's own parameter values.
//
//   - The central role may assume the member role only in accounts of its Organization (aws:ResourceOrgID), and no
//     other role, even one that trusts it unconditionally.
//   - The member role admits only the central role's sessions, only with the external ID, and only while the caller's
//     account is in the Organization (aws:PrincipalOrgID).
//   - With remediation: the members' runbooks reach the central remediate function through the admin account's invoker
//     role (the role the StackSet passes as CentralRemediationInvokerRoleArn). sts:AssumeRole of the invoker role is
//     decided from its trust policy and the caller's identity policies (a member's Automation role: the member template's
//     role trusted by ssm.amazonaws.com): the Automation role, by its fixed name, from an account of the Organization,
//     may assume it; another role of an Organization account may not, nor a role of that name outside the Organization
//     or under another path; the Automation role may assume no other role. lambda:InvokeFunction on the central function
//     is decided from the function's resource policy (every AWS::Lambda::Permission on it, written as Lambda writes
//     them: only EventBridge's for the hourly lift) and the caller's identity policies: the invoker role may invoke it
//     and no other function; no principal of another account may, whatever its own policy says, the members' Automation
//     role included: the invoke is the invoker role's, in the admin account.
//   - With re-evaluation: the members' forwarder heartbeat path (docs/operations.md, "The members' forwarders").
//     EventBridge may assume a member's forward role for its us-east-1 forwarding rule and its heartbeat rule, and for no
//     other rule; that role's heartbeat reaches the central bus only from the Organization (the bus policy); and only
//     EventBridge (and CloudWatch Logs' delivery service) may write to the heartbeat log group, only there, only log events.
//
// Usage: node infra/organization/check-cross-account-access.js <admin.template.json> <member.template.json>
// Exit status 1 on any row whose decision differs, or when a template lacks what the table needs.
'use strict';

const fs = require('node:fs');
const { runSimulation } = require('@cloud-copilot/iam-simulate');
const { ALLOW_EVERYTHING, resourcesOf, one, permissionStatement } = require('../policy-check/template-reading');

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const FOREIGN = '999999999999';
const ORGANIZATION = 'o-a1b2c3d4e5';
const FOREIGN_ORGANIZATION = 'o-z9y8x7w6v5';
const REGION = 'eu-west-1';
// A StackSet instance's stack name: StackSet-<StackSet name>-<UUID>.
const STACK_NAME = 'StackSet-MfaConfigRule-Members-0a1b2c3d';

function readTemplate(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// Fills in what CloudFormation would: pseudo parameters, the template's parameters, the ARN of a role of the template
// (named by its logical ID), any other resource's ARN, and the Organization's ID, which the admin stack reads at deploy
// time with a custom resource.
function resolver(template, account, parameters) {
  const resources = template.Resources ?? {};
  const resolve = (value) => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': account, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': STACK_NAME };
      if (value.Ref in pseudo) return pseudo[value.Ref];
      if (value.Ref in parameters) return parameters[value.Ref];
      throw new Error(`cannot resolve Ref ${value.Ref}`);
    }
    if ('Fn::GetAtt' in value) {
      const [logicalId, attribute] = value['Fn::GetAtt'];
      const type = resources[logicalId]?.Type ?? '';
      // A role of a fixed name has that name in its ARN (a trust condition may name it); else its logical ID stands in.
      if (type === 'AWS::IAM::Role' && attribute === 'Arn') {
        const name = resources[logicalId].Properties?.RoleName;
        return `arn:aws:iam::${account}:role/${typeof name === 'string' ? name : logicalId}`;
      }
      if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${REGION}:${account}:function:${logicalId}`;
      if (type === 'AWS::Events::EventBus' && attribute === 'Arn') return `arn:aws:events:${REGION}:${account}:event-bus/${resources[logicalId].Properties.Name ?? logicalId}`;
      if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return ORGANIZATION;
      // Any other resource (a log group the role writes to): an ARN of its own, which no sts:AssumeRole row names.
      if (type && attribute === 'Arn') return `arn:aws:${type.split('::')[1].toLowerCase()}:${REGION}:${account}:${logicalId}`;
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
  return resolve;
}

function centralSide(adminFile) {
  const admin = readTemplate(adminFile);
  const resolve = resolver(admin, ADMIN, {});
  const [, stackSet] = one(resourcesOf(admin, 'AWS::CloudFormation::StackSet'), 'AWS::CloudFormation::StackSet in the admin template');
  const memberParameters = Object.fromEntries((stackSet.Properties.Parameters ?? []).map((p) => [p.ParameterKey, resolve(p.ParameterValue)]));
  const roleParameter = stackSet.Properties.Parameters.find((p) => p.ParameterKey === 'CentralRoleArn');
  if (!roleParameter?.ParameterValue?.['Fn::GetAtt']) throw new Error('the StackSet passes no CentralRoleArn of a role of the admin template');
  const roleId = roleParameter.ParameterValue['Fn::GetAtt'][0];
  const policies = resourcesOf(admin, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === roleId))
    .map(([id, p]) => ({ name: id, policy: resolve(p.Properties.PolicyDocument) }));
  for (const inline of admin.Resources[roleId].Properties.Policies ?? []) policies.push({ name: inline.PolicyName, policy: resolve(inline.PolicyDocument) });
  if (policies.length === 0) throw new Error(`no identity policy is attached to the central role ${roleId}`);
  const functions = resourcesOf(admin, 'AWS::Lambda::Function')
    .filter(([, f]) => f.Properties.Role?.['Fn::GetAtt']?.[0] === roleId);
  const [, central] = one(functions, `function running as the central role ${roleId}`);
  const memberRoleName = central.Properties.Environment?.Variables?.MFA_RULE_MEMBER_ROLE_NAME;
  if (!memberRoleName) throw new Error('the central function names no MFA_RULE_MEMBER_ROLE_NAME');
  const externalId = central.Properties.Environment.Variables.MFA_RULE_MEMBER_ROLE_EXTERNAL_ID;
  return { roleId, roleArn: `arn:aws:iam::${ADMIN}:role/${roleId}`, policies, memberParameters, memberRoleName, externalId };
}

function memberTrust(memberFile, central) {
  const member = readTemplate(memberFile);
  const resolve = resolver(member, MEMBER, central.memberParameters);
  const [, role] = one(resourcesOf(member, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === central.memberRoleName),
    `AWS::IAM::Role named ${central.memberRoleName} in the member template`);
  return resolve(role.Properties.AssumeRolePolicyDocument);
}

// A role that trusts the central role without any condition, in any account: only the central role's own policy can
// keep it from being assumed.
function trustingEveryone(centralRoleArn) {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: centralRoleArn }, Action: 'sts:AssumeRole' }] };
}

// [label, caller session ARN, caller's identity policies, target role ARN, trust policy, context, expected decision]
function table(central, trust) {
  const session = `arn:aws:sts::${ADMIN}:assumed-role/${central.roleId}/mfa-config-rule-evaluate`;
  const memberRole = (account) => `arn:aws:iam::${account}:role/${central.memberRoleName}`;
  const inOrganization = { 'aws:PrincipalOrgID': ORGANIZATION, 'aws:ResourceOrgID': ORGANIZATION };
  const withExternalId = { ...inOrganization, 'sts:ExternalId': central.externalId };
  const open = trustingEveryone(central.roleArn);
  const own = central.policies;
  const admin = [{ name: 'allow-everything', policy: ALLOW_EVERYTHING }];
  return [
    // The central role's own policy: the member role, in the Organization's accounts, and nothing else.
    ['central policy: member role of a member account', session, own, memberRole(MEMBER), open, inOrganization, 'Allowed'],
    ['central policy: member role of the management account', session, own, memberRole(ADMIN), open, inOrganization, 'Allowed'],
    ['central policy: member role name in a foreign account', session, own, memberRole(FOREIGN), open,
      { ...inOrganization, 'aws:ResourceOrgID': FOREIGN_ORGANIZATION }, 'ImplicitlyDenied'],
    ['central policy: member role name in an account of no Organization', session, own, memberRole(FOREIGN), open,
      { 'aws:PrincipalOrgID': ORGANIZATION }, 'ImplicitlyDenied'],
    ['central policy: another role of a member account', session, own, `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`, open,
      inOrganization, 'ImplicitlyDenied'],
    // The member role's trust, beside the central role's policy: the central role, with the external ID, from the Organization.
    ['member trust: central role with the external ID', session, own, memberRole(MEMBER), trust, withExternalId, 'Allowed'],
    ['member trust: central role without the external ID', session, own, memberRole(MEMBER), trust, inOrganization, 'ImplicitlyDenied'],
    ['member trust: central role with another external ID', session, own, memberRole(MEMBER), trust,
      { ...withExternalId, 'sts:ExternalId': 'guessed' }, 'ImplicitlyDenied'],
    ['member trust: central role whose account left the Organization', session, own, memberRole(MEMBER), trust,
      { ...withExternalId, 'aws:PrincipalOrgID': FOREIGN_ORGANIZATION }, 'ImplicitlyDenied'],
    ['member trust: central role of an account in no Organization', session, own, memberRole(MEMBER), trust,
      { 'aws:ResourceOrgID': ORGANIZATION, 'sts:ExternalId': central.externalId }, 'ImplicitlyDenied'],
    ['member trust: an administrator of the admin account', `arn:aws:sts::${ADMIN}:assumed-role/Admin/alice`, admin, memberRole(MEMBER), trust,
      withExternalId, 'ImplicitlyDenied'],
    ['member trust: a same-named role of a foreign account', `arn:aws:sts::${FOREIGN}:assumed-role/${central.roleId}/x`, admin, memberRole(MEMBER), trust,
      { ...withExternalId, 'aws:PrincipalOrgID': FOREIGN_ORGANIZATION }, 'ImplicitlyDenied'],
  ];
}

// The remediation side, when the admin template has one: the remediate function and its resource policy, the invoker
// role (its trust and identity policies), and the members' Automation role with its identity policies. Null when
// remediation is off.
function remediationSide(adminFile, memberFile, central) {
  const admin = readTemplate(adminFile);
  const resolveAdmin = resolver(admin, ADMIN, {});
  const [, stackSet] = one(resourcesOf(admin, 'AWS::CloudFormation::StackSet'), 'AWS::CloudFormation::StackSet in the admin template');
  const parameters = stackSet.Properties.Parameters ?? [];
  const parameter = parameters.find((p) => p.ParameterKey === 'CentralRemediateFunctionArn');
  if (!parameter) return null;
  const functionId = parameter.ParameterValue['Fn::GetAtt'][0];
  const functionArn = resolveAdmin(parameter.ParameterValue);
  // The function's whole resource policy: every permission on it (none admits another account; EventBridge's for the
  // hourly lift when there is one). No permission at all is no resource policy.
  const permissions = resourcesOf(admin, 'AWS::Lambda::Permission')
    .filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(`"${functionId}"`));
  const functionPolicy = permissions.length === 0 ? undefined
    : { Version: '2012-10-17', Statement: permissions.map(([, p]) => permissionStatement(p, resolveAdmin, functionArn)) };

  const invokerParameter = parameters.find((p) => p.ParameterKey === 'CentralRemediationInvokerRoleArn');
  if (!invokerParameter?.ParameterValue?.['Fn::GetAtt']) throw new Error('the StackSet passes no CentralRemediationInvokerRoleArn of a role of the admin template');
  const invokerId = invokerParameter.ParameterValue['Fn::GetAtt'][0];
  const invokerRoleArn = resolveAdmin(invokerParameter.ParameterValue);
  const invokerTrust = resolveAdmin(admin.Resources[invokerId].Properties.AssumeRolePolicyDocument);
  const invokerPolicies = resourcesOf(admin, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === invokerId))
    .map(([id, p]) => ({ name: id, policy: resolveAdmin(p.Properties.PolicyDocument) }));
  if (invokerPolicies.length === 0) throw new Error(`no identity policy is attached to the invoker role ${invokerId}`);

  const member = readTemplate(memberFile);
  const resolveMember = resolver(member, MEMBER, central.memberParameters);
  const [automationId, automation] = one(resourcesOf(member, 'AWS::IAM::Role').filter(([, r]) =>
    JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ssm.amazonaws.com')), 'Automation role (trusted by ssm.amazonaws.com) in the member template');
  const automationName = automation.Properties.RoleName;
  if (typeof automationName !== 'string') throw new Error(`the Automation role ${automationId} has no fixed RoleName, which the invoker role's trust needs`);
  const automationPolicies = resourcesOf(member, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === automationId))
    .map(([id, p]) => ({ name: id, policy: resolveMember(p.Properties.PolicyDocument) }));
  if (automationPolicies.length === 0) throw new Error(`no identity policy is attached to the Automation role ${automationId}`);
  return { functionArn, functionPolicy, invokerRoleArn, invokerTrust, invokerPolicies, automationName, automationPolicies };
}

// [label, principal, identity policies, action, resource ARN, resource policy, context, expected decision]
function invokeTable(r) {
  const role = (account, name) => `arn:aws:iam::${account}:role/${name}`;
  const session = (account, name, who) => `arn:aws:sts::${account}:assumed-role/${name.split('/').pop()}/${who}`;
  const automation = session(MEMBER, r.automationName, `${MEMBER}-0f1e2d3c-aaaa-bbbb-cccc-123456789012`);
  const fromOrganization = (account, name) => ({ 'aws:PrincipalOrgID': ORGANIZATION, 'aws:PrincipalArn': role(account, name) });
  const invokerName = r.invokerRoleArn.split('/').pop();
  const invoker = session(ADMIN, invokerName, `${MEMBER}-0f1e2d3c-aaaa-bbbb-cccc-123456789012`);
  const otherFunction = r.functionArn.replace(/function:[^:]+$/, 'function:SomethingElse');
  const admin = [{ name: 'allow-everything', policy: ALLOW_EVERYTHING }];
  const unrelated = [{ name: 'read-s3', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }];
  const assume = 'sts:AssumeRole';
  const invoke = 'lambda:InvokeFunction';
  const otherRole = role(ADMIN, 'OrganizationAccountAccessRole');
  const trustingAnyone = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: assume }] };
  return [
    // Who may become the invoker: the Automation role, by name, from the Organization.
    ['invoker trust: a member\'s Automation role', automation, r.automationPolicies, assume, r.invokerRoleArn, r.invokerTrust,
      fromOrganization(MEMBER, r.automationName), 'Allowed'],
    ['invoker trust: the management account\'s Automation role', session(ADMIN, r.automationName, 'x'), r.automationPolicies, assume, r.invokerRoleArn, r.invokerTrust,
      fromOrganization(ADMIN, r.automationName), 'Allowed'],
    ['invoker trust: another role of a member account', session(MEMBER, 'Admin', 'alice'), admin, assume, r.invokerRoleArn, r.invokerTrust,
      fromOrganization(MEMBER, 'Admin'), 'ImplicitlyDenied'],
    ['invoker trust: a role of the Automation role\'s name under another path', session(MEMBER, r.automationName, 'x'), admin, assume, r.invokerRoleArn, r.invokerTrust,
      fromOrganization(MEMBER, `other/${r.automationName}`), 'ImplicitlyDenied'],
    ['invoker trust: a role of the Automation role\'s name in a foreign Organization', session(FOREIGN, r.automationName, 'x'), admin, assume, r.invokerRoleArn, r.invokerTrust,
      { 'aws:PrincipalOrgID': FOREIGN_ORGANIZATION, 'aws:PrincipalArn': role(FOREIGN, r.automationName) }, 'ImplicitlyDenied'],
    ['invoker trust: a role of the Automation role\'s name in an account of no Organization', session(FOREIGN, r.automationName, 'x'), admin, assume, r.invokerRoleArn, r.invokerTrust,
      { 'aws:PrincipalArn': role(FOREIGN, r.automationName) }, 'ImplicitlyDenied'],
    // What the Automation role may assume: the invoker role only, even where another role trusts anyone.
    ['automation policy: another role of the admin account', automation, r.automationPolicies, assume, otherRole, trustingAnyone,
      fromOrganization(MEMBER, r.automationName), 'ImplicitlyDenied'],
    ['automation policy: the member remediation role of another member', automation, r.automationPolicies, assume, role(FOREIGN, 'MfaConfigRule-Remediation'), trustingAnyone,
      fromOrganization(MEMBER, r.automationName), 'ImplicitlyDenied'],
    // Who may invoke the function: the invoker role, and no principal of another account.
    ['invoke: the invoker role', invoker, r.invokerPolicies, invoke, r.functionArn, r.functionPolicy, fromOrganization(ADMIN, invokerName), 'Allowed'],
    ['invoke: the invoker role, another function of the admin account', invoker, r.invokerPolicies, invoke, otherFunction, r.functionPolicy,
      fromOrganization(ADMIN, invokerName), 'ImplicitlyDenied'],
    ['invoke: a member\'s Automation role directly', automation, r.automationPolicies, invoke, r.functionArn, r.functionPolicy,
      fromOrganization(MEMBER, r.automationName), 'ImplicitlyDenied'],
    ['invoke: a member\'s Automation role directly, even allowed everything by its own policy', automation, admin, invoke, r.functionArn, r.functionPolicy,
      fromOrganization(MEMBER, r.automationName), 'ImplicitlyDenied'],
    ['invoke: an administrator of a member account', session(MEMBER, 'Admin', 'alice'), admin, invoke, r.functionArn, r.functionPolicy,
      fromOrganization(MEMBER, 'Admin'), 'ImplicitlyDenied'],
    ['invoke: an administrator of a foreign Organization', session(FOREIGN, 'Admin', 'mallory'), admin, invoke, r.functionArn, r.functionPolicy,
      { 'aws:PrincipalOrgID': FOREIGN_ORGANIZATION, 'aws:PrincipalArn': role(FOREIGN, 'Admin') }, 'ImplicitlyDenied'],
    ['invoke: an administrator of an account in no Organization', session(FOREIGN, 'Admin', 'mallory'), admin, invoke, r.functionArn, r.functionPolicy,
      { 'aws:PrincipalArn': role(FOREIGN, 'Admin') }, 'ImplicitlyDenied'],
    ['invoke: a role of the admin account without its own grant', session(ADMIN, 'Reader', 'bob'), unrelated, invoke, r.functionArn, r.functionPolicy,
      fromOrganization(ADMIN, 'Reader'), 'ImplicitlyDenied'],
  ];
}

// The heartbeat path, when the admin template keeps heartbeats (re-evaluation on): the member's forward role (its trust
// and identity policies), its two us-east-1 rules, the central bus's policy, and the heartbeat log group's policy.
// Null when re-evaluation is off.
function heartbeatSide(adminFile, memberFile, central) {
  const admin = readTemplate(adminFile);
  const logPolicies = resourcesOf(admin, 'AWS::Logs::ResourcePolicy');
  if (logPolicies.length === 0) return null;
  const resolveAdmin = resolver(admin, ADMIN, {});
  const logPolicy = JSON.parse(resolveAdmin(one(logPolicies, 'AWS::Logs::ResourcePolicy in the admin template')[1].Properties.PolicyDocument));
  const [, heartbeatRule] = one(resourcesOf(admin, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('Scheduled Event')),
    'heartbeat rule (Scheduled Event pattern) in the admin template');
  const [, bus] = one(resourcesOf(admin, 'AWS::Events::EventBus'), 'AWS::Events::EventBus in the admin template');
  const ruleArn = (rule) => `arn:aws:events:${REGION}:${ADMIN}:rule/${bus.Properties.Name}/${rule.Properties.Name}`;
  const [, busPolicy] = one(resourcesOf(admin, 'AWS::Events::EventBusPolicy'), 'AWS::Events::EventBusPolicy in the admin template');
  const busStatement = resolveAdmin(busPolicy.Properties.Statement);

  const member = readTemplate(memberFile);
  const resolveMember = resolver(member, MEMBER, central.memberParameters);
  const [forwardRoleId, forwardRole] = one(resourcesOf(member, 'AWS::IAM::Role').filter(([id]) => id.includes('ForwardRole')), 'forward role in the member template');
  const forwardPolicies = resourcesOf(member, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === forwardRoleId))
    .map(([id, p]) => ({ name: id, policy: resolveMember(p.Properties.PolicyDocument) }));
  const forwarders = resourcesOf(member, 'Custom::IamEventForwarding').map(([, r]) => resolveMember(r.Properties));
  const forwarding = one(forwarders.filter((f) => !f.ScheduleExpression), 'forwarding rule in the member template');
  const heartbeat = one(forwarders.filter((f) => f.ScheduleExpression), 'heartbeat rule in the member template');
  const memberRule = (name) => `arn:aws:events:us-east-1:${MEMBER}:rule/${name}`;
  return {
    forwardRoleArn: `arn:aws:iam::${MEMBER}:role/${forwardRoleId}`,
    forwardTrust: resolveMember(forwardRole.Properties.AssumeRolePolicyDocument),
    forwardPolicies,
    forwardingRuleArn: memberRule(forwarding.RuleName),
    heartbeatRuleArn: memberRule(heartbeat.RuleName),
    otherMemberRuleArn: memberRule('SomeoneElsesRule'),
    busArn: heartbeat.TargetArn,
    busPolicy: { Version: '2012-10-17', Statement: [busStatement] },
    logPolicy,
    logGroupArn: resolveAdmin(heartbeatRule.Properties.Targets[0].Arn),
    centralHeartbeatRuleArn: ruleArn(heartbeatRule),
  };
}

// [label, principal, identity policies, action, resource ARN, resource policy, context, expected decision]
function heartbeatTable(h) {
  const events = 'events.amazonaws.com';
  const fromMember = (sourceArn) => ({ 'aws:SourceArn': sourceArn, 'aws:SourceAccount': MEMBER });
  const forwardSession = `arn:aws:sts::${MEMBER}:assumed-role/${h.forwardRoleArn.split('/').pop()}/events`;
  const stream = (group) => `${group}:log-stream:${MEMBER}-heartbeat`;
  const fromCentral = (sourceArn) => ({ 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ADMIN });
  return [
    ['heartbeat: EventBridge assumes the forward role for the forwarding rule', events, [], 'sts:AssumeRole', h.forwardRoleArn, h.forwardTrust, fromMember(h.forwardingRuleArn), 'Allowed'],
    ['heartbeat: EventBridge assumes the forward role for the heartbeat rule', events, [], 'sts:AssumeRole', h.forwardRoleArn, h.forwardTrust, fromMember(h.heartbeatRuleArn), 'Allowed'],
    ['heartbeat: EventBridge assumes the forward role for another rule of the member', events, [], 'sts:AssumeRole', h.forwardRoleArn, h.forwardTrust, fromMember(h.otherMemberRuleArn), 'ImplicitlyDenied'],
    ['heartbeat: the forward role puts the heartbeat on the central bus', forwardSession, h.forwardPolicies, 'events:PutEvents', h.busArn, h.busPolicy, { 'aws:PrincipalOrgID': ORGANIZATION }, 'Allowed'],
    ['heartbeat: the forward role of an account that left the Organization', forwardSession, h.forwardPolicies, 'events:PutEvents', h.busArn, h.busPolicy, { 'aws:PrincipalOrgID': FOREIGN_ORGANIZATION }, 'ImplicitlyDenied'],
    ['heartbeat: the central heartbeat rule writes to the heartbeat log group', events, [], 'logs:PutLogEvents', stream(h.logGroupArn), h.logPolicy, fromCentral(h.centralHeartbeatRuleArn), 'Allowed'],
    ['heartbeat: a service other than EventBridge writes to the heartbeat log group', 'lambda.amazonaws.com', [], 'logs:PutLogEvents', stream(h.logGroupArn), h.logPolicy, fromCentral(h.centralHeartbeatRuleArn), 'ImplicitlyDenied'],
    ['heartbeat: EventBridge deletes the heartbeat log group', events, [], 'logs:DeleteLogGroup', h.logGroupArn, h.logPolicy, fromCentral(h.centralHeartbeatRuleArn), 'ImplicitlyDenied'],
    ['heartbeat: the central heartbeat rule writes to another log group', events, [], 'logs:PutLogEvents', stream(`arn:aws:logs:${REGION}:${ADMIN}:log-group:/aws/lambda/other`), h.logPolicy, fromCentral(h.centralHeartbeatRuleArn), 'ImplicitlyDenied'],
  ];
}

async function decide(principal, identityPolicies, resourceArn, resourcePolicy, context, action = 'sts:AssumeRole') {
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
  if (response.resultType === 'error') throw new Error(`${principal} -> ${resourceArn}: the simulator refused the request: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

async function main() {
  const [adminFile, memberFile] = process.argv.slice(2);
  if (!adminFile || !memberFile) {
    console.error('usage: check-cross-account-access.js <admin.template.json> <member.template.json>');
    process.exit(2);
  }
  const central = centralSide(adminFile);
  const trust = memberTrust(memberFile, central);
  const failures = [];
  const rows = table(central, trust);
  for (const [label, principal, policies, roleArn, rowTrust, context, expected] of rows) {
    const actual = await decide(principal, policies, roleArn, rowTrust, context);
    if (actual !== expected) failures.push(`${label}: expected ${expected}, got ${actual}`);
  }
  const remediation = remediationSide(adminFile, memberFile, central);
  const invokeRows = remediation ? invokeTable(remediation) : [];
  for (const [label, principal, policies, action, resourceArn, resourcePolicy, context, expected] of invokeRows) {
    const actual = await decide(principal, policies, resourceArn, resourcePolicy, context, action);
    if (actual !== expected) failures.push(`${label}: expected ${expected}, got ${actual}`);
  }
  const heartbeat = heartbeatSide(adminFile, memberFile, central);
  const heartbeatRows = heartbeat ? heartbeatTable(heartbeat) : [];
  for (const [label, principal, policies, action, resourceArn, resourcePolicy, context, expected] of heartbeatRows) {
    const actual = await decide(principal, policies, resourceArn, resourcePolicy, context, action);
    if (actual !== expected) failures.push(`${label}: expected ${expected}, got ${actual}`);
  }
  for (const failure of failures) console.error(failure);
  console.log(`cross-account access: ${rows.length + invokeRows.length + heartbeatRows.length} decisions checked, ${failures.length} wrong` +
    (remediation ? ` (${invokeRows.length} of them on the remediation path: the invoker role and the central remediate function)` : '') +
    (heartbeat ? ` (${heartbeatRows.length} of them on the forwarders' heartbeat path)` : ''));
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
