using System.Globalization;
using AwsDouble.Iam;

namespace AwsDouble.Population;

/// <summary>The situation a generated user is in, so a test knows what verdict the rule owes it.</summary>
public enum PopulationCase
{
    NoPassword,
    NoPasswordWithMfa,
    PasswordWithVirtualMfa,
    PasswordWithHardwareMfa,
    PasswordWithFidoMfa,
    PasswordWithSeveralMfaKinds,
    PasswordWithoutMfa,

    /// <summary>Password, and a virtual MFA device created but never enabled (Unassigned): no MFA in effect.</summary>
    PasswordWithAbandonedVirtualMfa,

    /// <summary>Console password set within the last 12 hours, no MFA yet (a grace period applies if configured).</summary>
    FreshPasswordWithoutMfa,

    /// <summary>Password without MFA, name in <see cref="Populations.ExemptUserNames"/>.</summary>
    ExemptByName,

    /// <summary>Password without MFA, path under <see cref="Populations.ExemptPathPrefix"/>.</summary>
    ExemptByPath,

    /// <summary>Password without MFA, <see cref="Populations.ExemptionTagKey"/> dated 30 days ahead.</summary>
    ExemptByValidTag,

    /// <summary>Password without MFA, exemption tag dated 10 days ago.</summary>
    ExpiredExemptionTag,

    /// <summary>Password without MFA, exemption tag that is not a date.</summary>
    MalformedExemptionTag,
}

/// <summary>A generated user and the case it stands for.</summary>
public sealed record PopulationMember(UserSeed Seed, PopulationCase Case);

/// <summary>
/// Deterministic user populations: the same count, account, time and seed give the same users. The first users
/// cover every <see cref="PopulationCase"/> once; the rest are drawn with weights like a real account's (many users
/// without a console password, most console users with MFA).
/// </summary>
public static class Populations
{
    /// <summary>The population's name for <c>--seed</c>: every case, in proportions like the samples.</summary>
    public const string SamplesStyle = "samples-style-population";

    public const string ExemptPathPrefix = "/break-glass/";
    public const string ExemptionTagKey = "mfa-exempt-until";

    /// <summary>The names exempted by name; few, because the rule parameter holding them is short.</summary>
    public static readonly IReadOnlyList<string> ExemptUserNames = ["breakglass-admin", "breakglass-auditor", "breakglass-oncall"];

    private static readonly (PopulationCase Case, int Weight)[] Weights =
    [
        (PopulationCase.NoPassword, 30), (PopulationCase.NoPasswordWithMfa, 2), (PopulationCase.PasswordWithVirtualMfa, 25),
        (PopulationCase.PasswordWithHardwareMfa, 5), (PopulationCase.PasswordWithFidoMfa, 10), (PopulationCase.PasswordWithSeveralMfaKinds, 2),
        (PopulationCase.PasswordWithoutMfa, 13), (PopulationCase.PasswordWithAbandonedVirtualMfa, 2), (PopulationCase.FreshPasswordWithoutMfa, 3), (PopulationCase.ExemptByPath, 2),
        (PopulationCase.ExemptByValidTag, 3), (PopulationCase.ExpiredExemptionTag, 2), (PopulationCase.MalformedExemptionTag, 1),
    ];

    public static IReadOnlyList<PopulationMember> SamplesStyleMembers(int count, DateTimeOffset now, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var total = Weights.Sum(w => w.Weight);
        var members = new List<PopulationMember>(count);
        var exemptNames = 0;
        for (var i = 0; i < count; i++)
        {
            PopulationCase kind;
            if (i < Enum.GetValues<PopulationCase>().Length) kind = (PopulationCase)i;
            else
            {
                var draw = random.Next(total);
                kind = Weights.First(w => (draw -= w.Weight) < 0).Case;
            }
            if (kind == PopulationCase.ExemptByName && exemptNames >= ExemptUserNames.Count) kind = PopulationCase.PasswordWithoutMfa;
            var name = kind == PopulationCase.ExemptByName
                ? ExemptUserNames[exemptNames++]
                : string.Create(CultureInfo.InvariantCulture, $"{Prefix(kind)}-{i:D5}");
            members.Add(new PopulationMember(Build(kind, name, now, random), kind));
        }
        return members;
    }

    private static UserSeed Build(PopulationCase kind, string name, DateTimeOffset now, Random random)
    {
        var created = now.AddDays(-random.Next(30, 3 * 365)).AddSeconds(-random.Next(86_400));
        var passwordSet = created.AddDays(random.Next(0, 20));
        var mfaEnabled = passwordSet.AddHours(random.Next(1, 72));
        var seed = new UserSeed(name) { CreateDate = created };
        var password = new LoginProfileSeed(passwordSet);
        string Date(int days) => now.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return kind switch
        {
            PopulationCase.NoPassword => seed,
            PopulationCase.NoPasswordWithMfa => seed with { MfaDevices = [new(MfaDeviceKind.Virtual, mfaEnabled)] },
            PopulationCase.PasswordWithVirtualMfa => seed with { LoginProfile = password, MfaDevices = [new(MfaDeviceKind.Virtual, mfaEnabled)] },
            PopulationCase.PasswordWithHardwareMfa => seed with { LoginProfile = password, MfaDevices = [new(MfaDeviceKind.Hardware, mfaEnabled)] },
            PopulationCase.PasswordWithFidoMfa => seed with { LoginProfile = password, MfaDevices = [new(MfaDeviceKind.Fido, mfaEnabled)] },
            PopulationCase.PasswordWithSeveralMfaKinds => seed with
            {
                LoginProfile = password,
                MfaDevices = [new(MfaDeviceKind.Fido, mfaEnabled), new(MfaDeviceKind.Hardware, mfaEnabled.AddDays(1))],
            },
            PopulationCase.PasswordWithoutMfa => seed with { LoginProfile = password },
            PopulationCase.PasswordWithAbandonedVirtualMfa => seed with { LoginProfile = password, AbandonedVirtualMfaDevice = true },
            PopulationCase.FreshPasswordWithoutMfa => seed with { LoginProfile = new LoginProfileSeed(now.AddHours(-random.Next(1, 12))) },
            PopulationCase.ExemptByName => seed with { LoginProfile = password },
            PopulationCase.ExemptByPath => seed with { LoginProfile = password, Path = ExemptPathPrefix },
            PopulationCase.ExemptByValidTag => seed with { LoginProfile = password, Tags = [new(ExemptionTagKey, Date(30)), new("team", "payments")] },
            PopulationCase.ExpiredExemptionTag => seed with { LoginProfile = password, Tags = [new(ExemptionTagKey, Date(-10))] },
            PopulationCase.MalformedExemptionTag => seed with { LoginProfile = password, Tags = [new(ExemptionTagKey, "next-quarter")] },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private static string Prefix(PopulationCase kind) => kind switch
    {
        PopulationCase.NoPassword => "svc",
        PopulationCase.NoPasswordWithMfa => "svc-mfa",
        PopulationCase.PasswordWithVirtualMfa => "dev-virtual",
        PopulationCase.PasswordWithHardwareMfa => "ops-hardware",
        PopulationCase.PasswordWithFidoMfa => "dev-fido",
        PopulationCase.PasswordWithSeveralMfaKinds => "admin-multi",
        PopulationCase.PasswordWithoutMfa => "console-nomfa",
        PopulationCase.PasswordWithAbandonedVirtualMfa => "console-pending",
        PopulationCase.FreshPasswordWithoutMfa => "newhire",
        PopulationCase.ExemptByPath => "bg-path",
        PopulationCase.ExemptByValidTag => "tag-valid",
        PopulationCase.ExpiredExemptionTag => "tag-expired",
        PopulationCase.MalformedExemptionTag => "tag-malformed",
        _ => "user",
    };
}
