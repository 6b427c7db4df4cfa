using System.Net;
using AwsDouble.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AwsDouble.Hosting;

/// <summary>
/// The double as a loopback HTTP server. One port serves IAM, STS, Config and CloudTrail: Query requests are told
/// apart by their <c>Version</c>, JSON ones by their <c>X-Amz-Target</c>. Point every AWS endpoint at <see cref="BaseUrl"/>.
/// </summary>
public sealed class AwsDoubleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AwsDoubleServer(WebApplication app, AwsDoubleState state, FaultInjector faults, Uri baseUrl)
    {
        _app = app;
        State = state;
        Faults = faults;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:PORT/ — the endpoint URL for every service.</summary>
    public Uri BaseUrl { get; }

    public AwsDoubleState State { get; }
    public FaultInjector Faults { get; }
    public DoubleClock Clock => State.Clock;
    public DoubleAccount DefaultAccount => State.DefaultAccount;

    public static async Task<AwsDoubleServer> StartAsync(AwsDoubleOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AwsDoubleOptions();
        var state = new AwsDoubleState(options);
        var faults = new FaultInjector();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var pipeline = new RequestPipeline(state, faults, options.EnableControlEndpoint ? new ControlEndpoint(state, faults) : null);
        app.Run(pipeline.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AwsDoubleServer(app, state, faults, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
