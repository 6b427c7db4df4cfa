using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Fakes;

internal static class FakeTime
{
    /// <summary>
    /// Awaits <paramref name="task"/> while moving the fake clock on in <paramref name="step"/>s, for code that waits on
    /// the clock (report polling, PutEvaluations back-off). Nothing here depends on how fast the machine is.
    /// </summary>
    public static async Task<T> Advancing<T>(this FakeTimeProvider time, Task<T> task, TimeSpan step)
    {
        while (!task.IsCompleted)
        {
            time.Advance(step);
            await Task.Delay(1);
        }
        return await task;
    }
}
