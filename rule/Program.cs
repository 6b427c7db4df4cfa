using System.Runtime.InteropServices;
using MfaConfigRule.Aggregation;
using MfaConfigRule.Aws;
using MfaConfigRule.Cli;
using MfaConfigRule.Composition;
using MfaConfigRule.Enrollment;
using MfaConfigRule.Functions;
using MfaConfigRule.Hosting;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;

namespace MfaConfigRule;

/// <summary>One executable, two front doors: the Lambda custom runtime when the Runtime API is there, else the CLI.</summary>
internal static class Program
{
    private const string DefaultCliRegion = "us-east-1";

    public static async Task<int> Main(string[] args)
    {
        var environment = new ProcessEnvironmentVariables();
        var time = TimeProvider.System;
        if (LambdaHost.IsLambdaEnvironment(environment))
        {
            using var stopping = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stopping.Cancel();
            });
            var log = new JsonLog(Console.Out, time, JsonLog.MinimumLevelFrom(environment));
            return await LambdaHost.RunAsync(HandlerRegistry.For(environment, log, time).Create, log, environment, time, stopping.Token).ConfigureAwait(false);
        }

        var terminal = CliTerminalOf();
        var status = new CliStatus(Console.Error, terminal.StderrIsTerminal, time);
        AwsClients Connect(AccountOptions account)
        {
            var region = account.Region ?? environment.Get("AWS_REGION") ?? environment.Get("AWS_DEFAULT_REGION") ?? DefaultCliRegion;
            return AwsClients.Create(new AwsClientOptions
            {
                Region = region,
                Environment = environment,
                Profile = account.Profile,
                TimeProvider = time,
                OnRetry = status.Retrying,
            });
        }
        var cli = new CliApp(Console.Out, Console.Error, time, account =>
        {
            var aws = Connect(account);
            return new LiveAccount(aws.Iam, aws.CloudTrail, aws.Config) { Enrollment = EnrollmentClient.Create(aws) };
        }, Console.In, terminal, status, new OrganizationEvaluate(Console.Out, Console.Error, time, Connect, environment), account =>
        {
            var aws = Connect(account);
            var organizations = OrganizationsClient.Over(aws);
            return new AggregatorConnection(AggregatorClient.Over(aws), async cancellationToken =>
                [.. (await organizations.ListAccountsAsync(cancellationToken).ConfigureAwait(false)).Where(a => a.IsActive).Select(a => new DirectoryAccount(a.Id, a.Name))], aws);
        });
        return cli.Run(args);
    }

    private static CliTerminal CliTerminalOf()
    {
        var width = 0;
        if (!Console.IsOutputRedirected)
        {
            try
            {
                width = Console.WindowWidth;
            }
            catch (IOException)
            {
                // No size to ask for (a terminal that does not answer): the table is not fitted.
            }
        }
        return new CliTerminal(!Console.IsInputRedirected, !Console.IsOutputRedirected, !Console.IsErrorRedirected, width);
    }
}
