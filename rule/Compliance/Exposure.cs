namespace MfaConfigRule.Compliance;

/// <summary>
/// How exposed a NON_COMPLIANT user is, for ordering findings riskiest first: whether any MFA device is there at all,
/// when the console password was last used and when it was set.
/// </summary>
internal sealed record Exposure(bool HasSomeMfaDevice, DateTimeOffset? PasswordLastUsed, DateTimeOffset? PasswordSetAt, bool InGracePeriod)
{
    /// <summary>
    /// Riskiest first: outside a grace period before inside; no MFA device at all before only a kind the rule does not
    /// accept; the password used most recently first (never or unknown last); the oldest password first.
    /// </summary>
    public static int Compare(Exposure? x, Exposure? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return 1;
        if (y is null) return -1;
        var order = x.InGracePeriod.CompareTo(y.InGracePeriod);
        if (order == 0) order = x.HasSomeMfaDevice.CompareTo(y.HasSomeMfaDevice);
        if (order == 0) order = Nullable.Compare(y.PasswordLastUsed, x.PasswordLastUsed);
        if (order == 0) order = (x.PasswordSetAt ?? DateTimeOffset.MaxValue).CompareTo(y.PasswordSetAt ?? DateTimeOffset.MaxValue);
        return order;
    }
}
