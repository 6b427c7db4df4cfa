// The CDK runs in one jsii kernel process per test run; its .NET client is not made for concurrent calls.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
