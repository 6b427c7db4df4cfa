'use strict';
// node --test infra/policy-check/iam-policies.test.js: the policy check rejects what AWS would silently never grant.
const test = require('node:test');
const assert = require('node:assert/strict');
const { checkTemplate, overlaps, resolve } = require('./iam-policies.js');

const env = { partition: 'aws', region: 'eu-west-1', account: '123456789012', stackName: 'MfaConfigRule' };

/** A template with one role and one identity policy on it holding the statement, plus a log group to refer to. */
function withStatement(statement) {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] } } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', ...statement }] } } },
    },
  };
}

const users = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':user/*']] };

test('checkTemplate: exact actions on the resource types they take pass', async () => {
  const template = withStatement({ Action: ['iam:GetUser', 'iam:GetLoginProfile', 'iam:ListMFADevices'], Resource: users });
  template.Resources.Policy.Properties.PolicyDocument.Statement.push(
    { Effect: 'Allow', Action: ['iam:ListUsers', 'cloudtrail:LookupEvents'], Resource: '*' },
    { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['Logs', 'Arn'] } });

  assert.deepEqual(await checkTemplate(template, env), []);
});

test('checkTemplate: a misspelt action is reported', async () => {
  const problems = await checkTemplate(withStatement({ Action: 'iam:GetLoginProfiles', Resource: users }), env);

  assert.deepEqual(problems, ['Policy.PolicyDocument: iam:GetLoginProfiles is not an IAM action (Service Authorization Reference)']);
});

test('checkTemplate: a statement chosen by Fn::If is checked in both branches, AWS::NoValue in neither', async () => {
  const template = withStatement({ Action: 'iam:GetUser', Resource: users });
  template.Resources.Policy.Properties.PolicyDocument.Statement = [{
    'Fn::If': ['On', { Effect: 'Allow', Action: 'iam:DeleteLoginProfile', Resource: users }, { Effect: 'Allow', Action: 'iam:GetLoginProfiles', Resource: users }],
  }, { 'Fn::If': ['On', { Effect: 'Allow', Action: 'iam:ListUsers', Resource: users }, { Ref: 'AWS::NoValue' }] }];

  const problems = await checkTemplate(template, env);

  assert.equal(problems.length, 2);
  assert.match(problems[0], /iam:GetLoginProfiles is not an IAM action/);
  assert.match(problems[1], /iam:ListUsers/);
});

test('checkTemplate: an action of a service that does not exist is reported', async () => {
  const problems = await checkTemplate(withStatement({ Action: 'configservice:PutEvaluations', Resource: '*' }), env);

  assert.equal(problems.length, 1);
  assert.match(problems[0], /configservice:PutEvaluations is not an IAM action/);
});

test('checkTemplate: a resource of another type than the action takes is reported', async () => {
  const roles = 'arn:aws:iam::123456789012:role/*';

  const problems = await checkTemplate(withStatement({ Action: 'iam:GetLoginProfile', Resource: roles }), env);

  assert.equal(problems.length, 1);
  assert.match(problems[0], /arn:aws:iam::123456789012:role\/\* is not a resource iam:GetLoginProfile acts on \(user /);
});

test('checkTemplate: "*" for an action that takes a resource type is reported', async () => {
  const problems = await checkTemplate(withStatement({ Action: 'config:StartConfigRulesEvaluation', Resource: '*' }), env);

  assert.equal(problems.length, 1);
  assert.match(problems[0], /config:StartConfigRulesEvaluation acts on ConfigRule: scope it/);
});

test('checkTemplate: an ARN for an action that takes no resource type is reported (the grant would never apply)', async () => {
  const problems = await checkTemplate(withStatement({ Action: 'iam:ListUsers', Resource: users }), env);

  assert.equal(problems.length, 1);
  assert.match(problems[0], /iam:ListUsers takes no resource type .*: its Resource must be "\*"/);
});

test('checkTemplate: "*" in a KMS key policy is that key, so key actions pass and others are still checked', async () => {
  const template = withStatement({ Action: 'iam:ListUsers', Resource: '*' });
  template.Resources.Key = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [
    { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' },
    { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'iam:ListUsers', Resource: '*' },
  ] } } };

  const problems = await checkTemplate(template, env);

  assert.equal(problems.length, 1);
  assert.match(problems[0], /^Key\.KeyPolicy: iam:ListUsers takes no resource type/);
});

test('checkTemplate: trust policies are checked for their actions only', async () => {
  const template = withStatement({ Action: 'iam:ListUsers', Resource: '*' });
  template.Resources.Role.Properties.AssumeRolePolicyDocument.Statement[0].Action = 'sts:AssumeRoles';

  const problems = await checkTemplate(template, env);

  assert.deepEqual(problems, ['Role.AssumeRolePolicyDocument: sts:AssumeRoles is not an IAM action (Service Authorization Reference)']);
});

test('checkTemplate: a Deny with a service wildcard passes when the wildcard covers the resources', async () => {
  const template = {
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Policy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'Bucket' },
          PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Resource: [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }] }] },
        },
      },
    },
  };

  assert.deepEqual(await checkTemplate(template, env), []);
});

test('checkTemplate: a reference to a resource type it does not know stops the check instead of passing', async () => {
  const template = withStatement({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Topic', 'Arn'] } });
  template.Resources.Topic = { Type: 'AWS::Kinesis::Stream', Properties: {} };

  await assert.rejects(checkTemplate(template, env), /ARN of a AWS::Kinesis::Stream \(Topic\) is not known/);
});

test('resolve: pseudo parameters, Join and GetAtt render the ARN shape', () => {
  const template = withStatement({});

  assert.equal(resolve(users, template, env), 'arn:aws:iam::123456789012:user/*');
  assert.equal(resolve({ 'Fn::GetAtt': ['Logs', 'Arn'] }, template, env), 'arn:aws:logs:eu-west-1:123456789012:log-group:*:*');
  assert.equal(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:rule/x' }, template, env), 'arn:aws:events:us-east-1:123456789012:rule/x');
});

test('resolve: a parameter holding another account\'s function or role ARN renders by its AllowedPattern', () => {
  const template = { Parameters: {
    Fn: { Type: 'String', AllowedPattern: '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+$' },
    Role: { Type: 'String', AllowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$' },
    Bus: { Type: 'String', AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$' },
    Other: { Type: 'String', AllowedPattern: '^o-[a-z0-9]{10,32}$' },
    Name: { Type: 'String' },
  }, Resources: {} };

  assert.equal(resolve({ Ref: 'Fn' }, template, env), 'arn:aws:lambda:*:*:function:*');
  assert.equal(resolve({ Ref: 'Role' }, template, env), 'arn:aws:iam::*:role/*');
  assert.equal(resolve({ Ref: 'Bus' }, template, env), 'arn:aws:events:*:*:event-bus/*');
  assert.throws(() => resolve({ Ref: 'Other' }, template, env), /Other is not an ARN with an AllowedPattern the policy check can read/);
  assert.throws(() => resolve({ Ref: 'Name' }, template, env), /Name is not an ARN with an AllowedPattern/);
});

test('overlaps: wildcards on both sides', () => {
  const logStream = 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}';

  assert.equal(overlaps('arn:aws:logs:eu-west-1:1:log-group:g:*', logStream), true);
  assert.equal(overlaps('arn:aws:logs:eu-west-1:1:log-group:g', logStream), false);
  assert.equal(overlaps('arn:aws:iam::1:user/a?c', 'arn:${Partition}:iam::${Account}:user/${UserNameWithPath}'), true);
  assert.equal(overlaps('arn:aws:iam::1:role/*', 'arn:${Partition}:iam::${Account}:user/${UserNameWithPath}'), false);
  assert.equal(overlaps('arn:aws:s3:::b/AWSLogs/1/Config/*', 'arn:${Partition}:s3:::${BucketName}/${ObjectName}'), true);
});

const ownUser = 'arn:aws:iam::123456789012:user/${aws:username}';

test('checkTemplate: a Deny of everything but real self-service actions, and of others\' users, passes', async () => {
  const template = withStatement({ Action: 'iam:GetUser', Resource: users });
  template.Resources.Policy.Properties.PolicyDocument.Statement.push(
    { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'iam:EnableMFADevice', 'sts:GetSessionToken'], Resource: '*' },
    { Effect: 'Deny', Action: ['iam:ChangePassword', 'iam:EnableMFADevice'], NotResource: [ownUser] });

  assert.deepEqual(await checkTemplate(template, env), []);
});

test('checkTemplate: a misspelt NotAction is reported (it would deny what it meant to spare)', async () => {
  const template = withStatement({ Action: 'iam:GetUser', Resource: users });
  template.Resources.Policy.Properties.PolicyDocument.Statement.push({ Effect: 'Deny', NotAction: ['iam:ChangePasswords'], Resource: '*' });

  assert.deepEqual(await checkTemplate(template, env), ['Policy.PolicyDocument: NotAction iam:ChangePasswords is not an IAM action (Service Authorization Reference)']);
});

test('checkTemplate: a NotResource none of the actions acts on is reported', async () => {
  const template = withStatement({ Action: 'iam:GetUser', Resource: users });
  template.Resources.Policy.Properties.PolicyDocument.Statement.push(
    { Effect: 'Deny', Action: ['iam:ChangePassword'], NotResource: ['arn:aws:iam::123456789012:role/${aws:username}'] });

  const problems = await checkTemplate(template, env);

  assert.equal(problems.length, 1);
  assert.match(problems[0], /NotResource arn:aws:iam::123456789012:role\/\$\{aws:username\} is acted on by none of the statement's actions/);
});

test('checkTemplate: NotAction in an Allow is reported (it grants everything it leaves out)', async () => {
  const problems = await checkTemplate(withStatement({ NotAction: ['iam:DeleteUser'], Resource: '*' }), env);

  assert.deepEqual(problems, ['Policy.PolicyDocument: NotAction/NotResource in an Allow grants everything they leave out']);
});

test('checkTemplate: an aggregator read granted on its ConfigurationAggregatorArn passes, and on a rule ARN it does not', async () => {
  const withAggregator = (resource) => {
    const template = withStatement({ Action: ['config:GetAggregateComplianceDetailsByConfigRule'], Resource: resource });
    template.Resources.Aggregator = { Type: 'AWS::Config::ConfigurationAggregator', Properties: { ConfigurationAggregatorName: 'org' } };
    return template;
  };

  assert.deepEqual(await checkTemplate(withAggregator({ 'Fn::GetAtt': ['Aggregator', 'ConfigurationAggregatorArn'] }), env), []);
  assert.equal((await checkTemplate(withAggregator('arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-*'), env)).length, 1);
  assert.equal(resolve({ 'Fn::GetAtt': ['Aggregator', 'ConfigurationAggregatorArn'] }, withAggregator('*'), env),
    'arn:aws:config:eu-west-1:123456789012:config-aggregator/config-aggregator-*');
  assert.throws(() => resolve({ 'Fn::GetAtt': ['Role', 'RoleId'] }, withAggregator('*'), env), /only Arn are known/);
});
