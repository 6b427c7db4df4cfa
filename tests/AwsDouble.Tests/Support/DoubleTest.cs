using AwsDouble.Hosting;

namespace AwsDouble.Tests.Support;

/// <summary>Each test gets its own double (xunit makes a class instance per test), on a held clock.</summary>
public abstract class DoubleTest : IAsyncLifetime
{
    private AwsDoubleServer? _server;
    private AwsClient? _client;

    internal AwsDoubleServer Server => _server ?? throw new InvalidOperationException("the double has not started");
    internal AwsClient Aws => _client ??= AwsClient.For(Server);
    internal DoubleAccount Account => Server.DefaultAccount;
    internal DoubleClock Clock => Server.Clock;

    /// <summary>Options for this class's doubles; override to change timing or checks.</summary>
    internal virtual AwsDoubleOptions Options => new();

    public async Task InitializeAsync() => _server = await AwsDoubleServer.StartAsync(Options);

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}
