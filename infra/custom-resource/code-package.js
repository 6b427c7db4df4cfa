'use strict';
// Custom::CodePackage, the per-account evaluation's one custom resource (inlined into its own provider function, so the
// other providers' inline code, infra/custom-resource/index.js, stays as it is): copies the rule's Lambda package from
// the CDK asset bucket into the Organization's code bucket (CopyObject) and answers the new object's version ID, which
// the StackSet pins (CodeObjectVersion).
//
// It always answers CloudFormation through the pre-signed ResponseURL, with FAILED and the reason when anything went
// wrong, so a deploy never reports success without the package and never hangs for the custom resource timeout.

const https = require('node:https');

const CODE_PACKAGE = 'Custom::CodePackage';

/**
 * Copies the package to TargetBucket/TargetKey and answers its key and version ID. A bucket that returns no version is
 * not versioned, and the members could not pin the code: that fails the deploy. Delete leaves the object: a StackSet that
 * rolls back creates its functions from the earlier version, and the retained bucket keeps every version anyway.
 */
async function applyCodePackage(event, send) {
  if (event.RequestType === 'Delete') return { physicalResourceId: event.PhysicalResourceId, data: {} };
  if (event.RequestType !== 'Create' && event.RequestType !== 'Update') throw new Error(`unknown CloudFormation request type ${event.RequestType}`);
  if (event.ResourceType !== CODE_PACKAGE) throw new Error(`this provider does not handle the resource type ${event.ResourceType}`);
  const props = event.ResourceProperties;
  for (const name of ['SourceBucket', 'SourceKey', 'TargetBucket', 'TargetKey']) {
    if (typeof props[name] !== 'string' || props[name] === '') throw new Error(`${CODE_PACKAGE} needs ${name}`);
  }
  const copied = await send('CopyObject', {
    Bucket: props.TargetBucket,
    Key: props.TargetKey,
    CopySource: `${props.SourceBucket}/${props.SourceKey.split('/').map(encodeURIComponent).join('/')}`,
  });
  const versionId = copied.VersionId;
  if (typeof versionId !== 'string' || versionId === '' || versionId === 'null') {
    throw new Error(`CopyObject to s3://${props.TargetBucket}/${props.TargetKey} returned no version ID: the code bucket must be versioned`);
  }
  return {
    physicalResourceId: `s3://${props.TargetBucket}/${props.TargetKey}?versionId=${versionId}`,
    data: { Key: props.TargetKey, VersionId: versionId },
  };
}

/** The body CloudFormation expects at the ResponseURL (at most 4 KB: the reason is cut). */
function responseBody(event, status, reason, physicalResourceId, data = {}) {
  return JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(Object.keys(data).length > 0 ? { Data: data } : {}),
  });
}

function putResponse(url, body) {
  return new Promise((resolve, reject) => {
    // The URL is pre-signed without a content type: send none.
    const request = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
}

// The SDK v3 the Lambda Node.js runtime provides (both buckets are in the function's own Region); required when called,
// so the tests need no SDK.
function s3() {
  const sdk = require('@aws-sdk/client-s3');
  const client = new sdk.S3Client({});
  return (operation, input) => client.send(new sdk[`${operation}Command`](input));
}

/** The Lambda handler over an S3 caller factory and a way to answer CloudFormation (the tests pass fakes). */
function createHandler({ send, respond }) {
  return async function handler(event) {
    console.log(JSON.stringify({ requestType: event.RequestType, physicalResourceId: event.PhysicalResourceId, properties: event.ResourceProperties }));
    // A failed Create has made nothing: the logical ID serves as its physical ID, and its Delete does nothing.
    let physicalResourceId = event.PhysicalResourceId ?? event.LogicalResourceId;
    let data = {};
    let status = 'SUCCESS';
    let reason = 'OK';
    try {
      ({ physicalResourceId, data } = await applyCodePackage(event, send()));
    } catch (error) {
      status = 'FAILED';
      reason = `${error.name ?? 'Error'}: ${error.message}`;
      console.error(error);
    }
    console.log(JSON.stringify({ status, reason, physicalResourceId }));
    await respond(event.ResponseURL, responseBody(event, status, reason, physicalResourceId, data));
  };
}

module.exports = { CODE_PACKAGE, applyCodePackage, createHandler, handler: createHandler({ send: s3, respond: putResponse }) };
