namespace AwsDouble.Protocol;

/// <summary>
/// An error the double answers with, in AWS's own vocabulary: <see cref="Code"/> is what the service puts in the XML
/// <c>Code</c> element or the JSON <c>__type</c>, <see cref="Status"/> the HTTP status it sends with it.
/// </summary>
internal class AwsErrorException(int status, string code, string message, bool senderFault = true) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;

    /// <summary>Query-protocol <c>Type</c>: Sender for the caller's mistakes, Receiver for the service's.</summary>
    public bool SenderFault { get; } = senderFault;
}

/// <summary>The IAM and STS error codes the double uses, with the statuses the IAM API reference gives them.</summary>
internal static class QueryErrors
{
    public static AwsErrorException NoSuchEntity(string message) => new(404, "NoSuchEntity", message);
    public static AwsErrorException EntityAlreadyExists(string message) => new(409, "EntityAlreadyExists", message);
    public static AwsErrorException DeleteConflict(string message) => new(409, "DeleteConflict", message);
    public static AwsErrorException LimitExceeded(string message) => new(409, "LimitExceeded", message);
    public static AwsErrorException InvalidInput(string message) => new(400, "InvalidInput", message);

    public static AwsErrorException Validation(string message) => new(400, "ValidationError", message);

    public static AwsErrorException MissingParameter(string name) =>
        Validation($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");
}

/// <summary>The JSON 1.1 error codes (Config and CloudTrail) the double uses; AWS sends them all with status 400.</summary>
internal static class JsonErrors
{
    public static AwsErrorException Validation(string message) => new(400, "ValidationException", message);
    public static AwsErrorException InvalidParameterValue(string message) => new(400, "InvalidParameterValueException", message);
    public static AwsErrorException Serialization(string message) => new(400, "SerializationException", message);
}
