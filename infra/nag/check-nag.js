#!/usr/bin/env node
// Applies cdk-nag's AwsSolutions pack to every stack template the C# CDK app synthesized.
//
// The .NET cdk-nag package is not available here, so the checks run in Node over the output: each template is
// loaded with cloudformation-include (CfnInclude), which rebuilds real L1 constructs (with the resource Metadata,
// where the C# app writes its cdk_nag suppressions), then synthesized with AwsSolutionsChecks as an aspect.
// Exit status 1 when any finding is neither fixed nor suppressed with a reason.
//
// Usage: node infra/nag/check-nag.js [cloud assembly dir ...]   (default cdk.out)
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { Annotations, Match } = require('aws-cdk-lib/assertions');
const { AwsSolutionsChecks } = require('cdk-nag');

// Every stack of the manifest, and every other *.template.json in the directory: the Organization deployment writes
// its StackSet's member template there, which deploys to the members and is no stack of this assembly.
function stackTemplates(outDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  const stacks = Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name, artifact]) => ({
      // Unique across assemblies: one per variant of the app.
      name: `${path.basename(path.resolve(outDir))}-${name}`,
      file: path.join(outDir, artifact.properties.templateFile),
    }));
  const known = new Set(stacks.map((s) => path.resolve(s.file)));
  const others = fs.readdirSync(outDir)
    .filter((f) => f.endsWith('.template.json') && !known.has(path.resolve(outDir, f)))
    .map((f) => ({ name: `${path.basename(path.resolve(outDir))}-${f.replace(/\.template\.json$/, '')}`, file: path.join(outDir, f) }));
  return [...stacks, ...others];
}

// The bootstrap-version parameter resolves from SSM at deploy time and its rule references it; neither is a
// resource and CfnInclude cannot load the SSM parameter type, so they are dropped before the checks.
function withoutBootstrapCheck(template) {
  const copy = structuredClone(template);
  if (copy.Parameters) delete copy.Parameters.BootstrapVersion;
  if (copy.Rules) delete copy.Rules.CheckBootstrapVersion;
  for (const section of ['Parameters', 'Rules']) {
    if (copy[section] && Object.keys(copy[section]).length === 0) delete copy[section];
  }
  return copy;
}

function check({ name, file }, scratch) {
  const included = path.join(scratch, `${name}.template.json`);
  fs.writeFileSync(included, JSON.stringify(withoutBootstrapCheck(JSON.parse(fs.readFileSync(file, 'utf8')))));

  const app = new cdk.App({ outdir: path.join(scratch, `${name}.out`) });
  const stack = new cdk.Stack(app, name);
  new CfnInclude(stack, 'Template', { templateFile: included });
  cdk.Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();

  const annotations = Annotations.fromStack(stack);
  const findings = [
    ...annotations.findError('*', Match.anyValue()).map((m) => ({ level: 'error', ...m })),
    ...annotations.findWarning('*', Match.anyValue()).map((m) => ({ level: 'warning', ...m })),
  ];
  return findings.map((f) => `${name}: ${f.level} at ${f.id}: ${f.entry.data}`);
}

function main() {
  const outDirs = process.argv.length > 2 ? process.argv.slice(2) : ['cdk.out'];
  const templates = outDirs.flatMap(stackTemplates);
  if (templates.length === 0) {
    console.error(`cdk-nag: no stack templates in ${outDirs.join(', ')}; run cdk synth first`);
    process.exit(1);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-'));
  try {
    const findings = templates.flatMap((t) => check(t, scratch));
    for (const finding of findings) console.error(finding);
    console.log(`cdk-nag AwsSolutions: ${templates.length} template(s) checked, ${findings.length} unsuppressed finding(s)`);
    process.exit(findings.length === 0 ? 0 : 1);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main();
