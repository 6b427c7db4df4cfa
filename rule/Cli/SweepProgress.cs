namespace MfaConfigRule.Cli;

/// <summary>
/// "assessed N/M users" on one stderr line for sweeps of 50 users or more. Written synchronously under a lock (not via
/// <see cref="Progress{T}"/>, which posts to the thread pool) so lines never come out of order or after the result.
/// </summary>
internal sealed class SweepProgress(TextWriter stderr) : IProgress<(int Done, int Total)>
{
    private const int MinimumUsers = 50;
    private const int Step = 50;
    private readonly Lock _gate = new();
    private int _shown;

    public void Report((int Done, int Total) value)
    {
        if (value.Total < MinimumUsers || (value.Done % Step != 0 && value.Done != value.Total)) return;
        lock (_gate)
        {
            // Counts are reported from parallel workers: a late, smaller one would overwrite a later line.
            if (value.Done <= _shown) return;
            _shown = value.Done;
            stderr.Write($"\rassessed {value.Done}/{value.Total} users");
            if (value.Done == value.Total) stderr.WriteLine();
        }
    }
}
