namespace MfaConfigRule.Cli;

/// <summary>"audited N/M accounts" on one stderr line, in order, as accounts finish.</summary>
internal sealed class AccountProgress(TextWriter stderr) : IProgress<(int Done, int Total)>
{
    private readonly Lock _gate = new();
    private int _shown;

    public void Report((int Done, int Total) value)
    {
        lock (_gate)
        {
            if (value.Done <= _shown) return;
            _shown = value.Done;
            stderr.Write($"\raudited {value.Done}/{value.Total} accounts");
            if (value.Done == value.Total) stderr.WriteLine();
        }
    }
}
