using AwsDouble.Iam;
using AwsDouble.Population;

namespace MfaConfigRule.Benchmarks.Scenario;

/// <summary>Which generated population an account holds.</summary>
internal enum PopulationKind
{
    /// <summary>
    /// 70% console users with virtual MFA, 10% with a hardware or FIDO key (half each), 5% console users without MFA,
    /// 15% programmatic-only: an account whose MFA programme mostly works, as most do.
    /// </summary>
    Realistic,

    /// <summary>
    /// The double's <see cref="Populations.SamplesStyleMembers"/>: every case the rule knows, about a quarter of users
    /// NON_COMPLIANT or exempt. The worst case for a strategy that reads NON_COMPLIANT users live.
    /// </summary>
    SamplesStyle,
}

/// <summary>The users of each <see cref="PopulationKind"/>, deterministic for a given count and time.</summary>
internal static class Mixes
{
    // One block of twenty users in the realistic proportions, interleaved so any prefix of the population keeps them.
    private static readonly MixCase[] Block =
    [
        MixCase.VirtualMfa, MixCase.VirtualMfa, MixCase.Programmatic, MixCase.VirtualMfa, MixCase.HardwareMfa,
        MixCase.VirtualMfa, MixCase.VirtualMfa, MixCase.NoMfa, MixCase.VirtualMfa, MixCase.Programmatic,
        MixCase.VirtualMfa, MixCase.VirtualMfa, MixCase.FidoMfa, MixCase.VirtualMfa, MixCase.VirtualMfa,
        MixCase.Programmatic, MixCase.VirtualMfa, MixCase.VirtualMfa, MixCase.VirtualMfa, MixCase.VirtualMfa,
    ];

    public static IReadOnlyList<UserSeed> Users(PopulationKind kind, int count, DateTimeOffset now) => kind switch
    {
        PopulationKind.Realistic => Realistic(count, now),
        PopulationKind.SamplesStyle => [.. Populations.SamplesStyleMembers(count, now).Select(m => m.Seed)],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static List<UserSeed> Realistic(int count, DateTimeOffset now)
    {
        var random = new Random(20260115);
        var users = new List<UserSeed>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = Block[i % Block.Length];
            var created = now.AddDays(-random.Next(30, 3 * 365)).AddSeconds(-random.Next(86_400));
            var password = new LoginProfileSeed(created.AddDays(random.Next(0, 20)));
            var mfaEnabled = password.CreateDate.AddHours(random.Next(1, 72));
            var seed = new UserSeed($"{Prefix(kind)}-{i:D5}") { CreateDate = created };
            users.Add(kind switch
            {
                MixCase.VirtualMfa => seed with { LoginProfile = password, MfaDevices = [new(MfaDeviceKind.Virtual, mfaEnabled)] },
                MixCase.HardwareMfa => seed with { LoginProfile = password, MfaDevices = [new(MfaDeviceKind.Hardware, mfaEnabled)] },
                MixCase.FidoMfa => seed with { LoginProfile = password, MfaDevices = [new(MfaDeviceKind.Fido, mfaEnabled)] },
                MixCase.NoMfa => seed with { LoginProfile = password },
                _ => seed,
            });
        }
        return users;
    }

    private static string Prefix(MixCase kind) => kind switch
    {
        MixCase.VirtualMfa => "console-virtual",
        MixCase.HardwareMfa => "console-hardware",
        MixCase.FidoMfa => "console-fido",
        MixCase.NoMfa => "console-nomfa",
        _ => "svc",
    };

    private enum MixCase
    {
        VirtualMfa,
        HardwareMfa,
        FidoMfa,
        NoMfa,
        Programmatic,
    }
}
