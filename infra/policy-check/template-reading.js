'use strict';
// What the iam-simulate checks share when they read a synthesized template: its resources by type, the one resource a
// check expects, the function policy statement Lambda writes for an AWS::Lambda::Permission, and the SCP-like
// "allow everything" policy that stands for an unrestricted caller or Organization. Used by
// infra/organization/check-cross-account-access.js, infra/policy-check/check-account-access.js and
// infra/remediation/check-enforcement-policy.js, so a fix to how a permission becomes a statement lands in all of them.

const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function resourcesOf(template, type) {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

function one(list, what) {
  if (list.length !== 1) throw new Error(`expected one ${what}, found ${list.length}`);
  return list[0];
}

// The function policy statement Lambda writes for an AWS::Lambda::Permission (AddPermission): its fixed conditions only.
function permissionStatement(permission, resolve, functionArn) {
  const p = permission.Properties;
  const principal = resolve(p.Principal);
  const statement = {
    Effect: 'Allow',
    Principal: principal === '*' ? '*' : principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: resolve(p.Action),
    Resource: functionArn,
  };
  const condition = {};
  if (p.PrincipalOrgID) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': resolve(p.PrincipalOrgID) };
  if (p.SourceAccount) condition.StringEquals = { ...condition.StringEquals, 'AWS:SourceAccount': resolve(p.SourceAccount) };
  if (p.SourceArn) condition.ArnLike = { 'AWS:SourceArn': resolve(p.SourceArn) };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

module.exports = { ALLOW_EVERYTHING, resourcesOf, one, permissionStatement };
