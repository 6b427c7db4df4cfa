using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// A program in a real terminal: a tmux session of a given size on a server of its own (its own socket), so a test sees
/// what a person sees (the screen) and types as a person types. Disposing kills that server and nothing else.
/// </summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _socket = "mfa-e2e-" + Guid.NewGuid().ToString("N")[..12];
    private const string Session = "t";

    private Tmux()
    {
    }

    public static bool IsAvailable { get; } = File.Exists("/usr/bin/tmux");

    /// <summary>Starts <paramref name="command"/> (then a shell line that prints its exit code) in a terminal of that size.</summary>
    public static async Task<Tmux> StartAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, int width, int height)
    {
        var tmux = new Tmux();
        var shell = new StringBuilder();
        shell.Append("cd ").Append(Quote(Repository.Root)).Append(" && env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color LANG=C.UTF-8 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true");
        foreach (var (name, value) in environment) shell.Append(' ').Append(name).Append('=').Append(Quote(value));
        foreach (var part in command) shell.Append(' ').Append(Quote(part));
        shell.Append("; echo \"[exit $?]\"; sleep 600");
        await tmux.RunAsync("new-session", "-d", "-s", Session, "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture), shell.ToString());
        return tmux;
    }

    /// <summary>The screen as it is now, one string per line (rows the terminal wrapped are joined), trailing blanks trimmed.</summary>
    public async Task<IReadOnlyList<string>> ScreenAsync()
    {
        var text = await RunAsync("capture-pane", "-p", "-J", "-t", Session, "-S", "-", "-E", "-");
        return text.Split('\n').Select(l => l.TrimEnd()).ToList();
    }

    /// <summary>Waits until the screen shows <paramref name="text"/>; fails with the screen after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(string text, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var screen = await ScreenAsync();
            if (screen.Any(l => l.Contains(text, StringComparison.Ordinal))) return screen;
            if (waited.Elapsed > timeout) throw new TimeoutException($"the terminal never showed '{text}':\n{string.Join('\n', screen)}");
            await Task.Delay(100);
        }
    }

    public Task TypeAsync(string line) => RunAsync("send-keys", "-t", Session, "-l", line).ContinueWith(_ => RunAsync("send-keys", "-t", Session, "Enter")).Unwrap();

    public Task InterruptAsync() => RunAsync("send-keys", "-t", Session, "C-c");

    public void Dispose()
    {
        using var kill = Process.Start(new ProcessStartInfo("tmux", ["-L", _socket, "kill-server"]) { RedirectStandardError = true, RedirectStandardOutput = true });
        kill?.WaitForExit(5000);
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        var run = await Tool.RunAsync("tmux", ["-L", _socket, .. arguments], TimeSpan.FromSeconds(20));
        if (run.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: {run}");
        return run.Stdout;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
