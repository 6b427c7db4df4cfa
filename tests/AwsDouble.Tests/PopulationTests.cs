using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>The built-in population: deterministic, every case, and 5,000 users seeded and listed.</summary>
public sealed class PopulationTests : DoubleTest
{
    [Fact]
    public void SamplesStyle_SameArguments_GiveTheSameUsers()
    {
        var first = Populations.SamplesStyleMembers(300, DoubleClock.DefaultStart, seed: 7);
        var second = Populations.SamplesStyleMembers(300, DoubleClock.DefaultStart, seed: 7);

        Assert.Equal(first.Select(Describe), second.Select(Describe));
    }

    [Fact]
    public void SamplesStyle_AsManyUsersAsCases_CoversEveryCaseWithUniqueNames()
    {
        var members = Populations.SamplesStyleMembers(Enum.GetValues<PopulationCase>().Length, DoubleClock.DefaultStart);

        Assert.Equal(Enum.GetValues<PopulationCase>(), members.Select(m => m.Case));
        Assert.Equal(members.Count, members.Select(m => m.Seed.UserName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void SamplesStyle_Cases_HaveTheStateTheirNameSays()
    {
        var members = Populations.SamplesStyleMembers(2000, DoubleClock.DefaultStart);
        var now = DoubleClock.DefaultStart;

        foreach (var member in members)
        {
            var seed = member.Seed;
            var hasPassword = seed.LoginProfile is not null;
            var kinds = seed.MfaDevices.Select(d => d.Kind).ToHashSet();
            var tag = seed.Tags.FirstOrDefault(t => t.Key == Populations.ExemptionTagKey).Value;
            var ok = member.Case switch
            {
                PopulationCase.NoPassword => !hasPassword && kinds.Count == 0,
                PopulationCase.NoPasswordWithMfa => !hasPassword && kinds.Count == 1,
                PopulationCase.PasswordWithVirtualMfa => hasPassword && kinds.SetEquals([MfaDeviceKind.Virtual]),
                PopulationCase.PasswordWithHardwareMfa => hasPassword && kinds.SetEquals([MfaDeviceKind.Hardware]),
                PopulationCase.PasswordWithFidoMfa => hasPassword && kinds.SetEquals([MfaDeviceKind.Fido]),
                PopulationCase.PasswordWithSeveralMfaKinds => hasPassword && kinds.Count > 1,
                PopulationCase.PasswordWithoutMfa => hasPassword && kinds.Count == 0 && tag is null && seed.Path == "/" && !seed.AbandonedVirtualMfaDevice,
                PopulationCase.PasswordWithAbandonedVirtualMfa => hasPassword && kinds.Count == 0 && seed.AbandonedVirtualMfaDevice,
                PopulationCase.FreshPasswordWithoutMfa => hasPassword && kinds.Count == 0 && now - seed.LoginProfile!.CreateDate < TimeSpan.FromHours(12),
                PopulationCase.ExemptByName => hasPassword && kinds.Count == 0 && Populations.ExemptUserNames.Contains(seed.UserName),
                PopulationCase.ExemptByPath => hasPassword && kinds.Count == 0 && seed.Path == Populations.ExemptPathPrefix,
                PopulationCase.ExemptByValidTag => hasPassword && string.CompareOrdinal(tag, now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) > 0,
                PopulationCase.ExpiredExemptionTag => hasPassword && string.CompareOrdinal(tag, now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) < 0,
                PopulationCase.MalformedExemptionTag => hasPassword && !DateOnly.TryParse(tag, System.Globalization.CultureInfo.InvariantCulture, out _),
                _ => false,
            };
            Assert.True(ok, $"{seed.UserName} does not fit {member.Case}");
        }
    }

    [Fact]
    public async Task FiveThousandUsers_SeededThenListedThroughIam_AreAllThere()
    {
        var members = Populations.SamplesStyleMembers(5000, Clock.GetUtcNow());

        var seeded = Account.SeedUsers(members.Select(m => m.Seed));
        var listed = new List<string>();
        string? marker = null;
        do
        {
            var page = await Aws.IamAsync("ListUsers", marker is null ? [("MaxItems", "1000")] : [("MaxItems", "1000"), ("Marker", marker)]);
            listed.AddRange(page.All("UserName").Select(e => e.Value));
            marker = page.Value("IsTruncated") == "true" ? page.Value("Marker") : null;
        }
        while (marker is not null);

        Assert.Equal(5000, seeded.Count);
        Assert.Equal(members.Select(m => m.Seed.UserName).Order(StringComparer.OrdinalIgnoreCase), listed);
        Assert.All(seeded, u => Assert.Matches("^AIDA[A-Z0-9]{17}$", u.UserId));
        Assert.Equal(5002, Account.CredentialReportCsvNow().Split('\n').Length);
    }

    private static string Describe(PopulationMember m) =>
        $"{m.Case}|{m.Seed.UserName}|{m.Seed.Path}|{m.Seed.CreateDate:O}|{m.Seed.LoginProfile}|{string.Join(';', m.Seed.MfaDevices)}|{string.Join(';', m.Seed.Tags)}";
}
