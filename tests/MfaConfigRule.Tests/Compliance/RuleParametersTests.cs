using MfaConfigRule.Compliance;

namespace MfaConfigRule.Tests.Compliance;

public sealed class RuleParametersTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    public void ParseJson_NothingSet_GivesDefaults(string? json)
    {
        var parameters = RuleParameters.ParseJson(json);

        Assert.Empty(parameters.ExemptUserNames);
        Assert.Empty(parameters.ExemptPathPrefixes);
        Assert.Equal("mfa-exempt-until", parameters.ExemptionTagKey);
        Assert.Equal(MfaKinds.All, parameters.AllowedMfaTypes);
        Assert.Equal(ComplianceType.NotApplicable, parameters.NoPasswordResult);
        Assert.Equal(TimeSpan.Zero, parameters.GracePeriod);
    }

    [Fact]
    public void ParseJson_EveryKey_IsRead()
    {
        var parameters = RuleParameters.ParseJson("""
            {
              "ExemptUserNames": "break-glass-1, emergency-root-proxy",
              "ExemptPathPrefixes": "/break-glass/,/service-accounts/",
              "ExemptionTagKey": "security/mfa-waiver",
              "AllowedMfaTypes": "fido, hardware",
              "NoPasswordResult": "COMPLIANT",
              "GracePeriodHours": "72"
            }
            """);

        Assert.Equal(["break-glass-1", "emergency-root-proxy"], parameters.ExemptUserNames.Order(StringComparer.Ordinal));
        Assert.Equal(["/break-glass/", "/service-accounts/"], parameters.ExemptPathPrefixes);
        Assert.Equal("security/mfa-waiver", parameters.ExemptionTagKey);
        Assert.Equal(MfaKinds.Fido | MfaKinds.Hardware, parameters.AllowedMfaTypes);
        Assert.Equal(ComplianceType.Compliant, parameters.NoPasswordResult);
        Assert.Equal(TimeSpan.FromHours(72), parameters.GracePeriod);
    }

    [Fact]
    public void ParseJson_ExemptUserNames_MatchIgnoringCase()
    {
        var parameters = RuleParameters.ParseJson("""{"ExemptUserNames":"Break-Glass-1"}""");

        Assert.Contains("break-glass-1", parameters.ExemptUserNames);
        Assert.Contains("BREAK-GLASS-1", parameters.ExemptUserNames);
    }

    [Theory]
    [InlineData(",alice,,bob,", 2)]
    [InlineData(" , ", 0)]
    public void ParseJson_ListsWithEmptyEntries_IgnoreThem(string names, int count)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptUserNamesKey] = names });

        Assert.Equal(count, parameters.ExemptUserNames.Count);
    }

    [Theory]
    [InlineData("""{"GracePeriodHours":24}""", 24)]
    [InlineData("""{"GracePeriodHours":"1.5"}""", 1.5)]
    [InlineData("""{"GracePeriodHours":" 0 "}""", 0)]
    [InlineData("""{"GracePeriodHours":"8784"}""", 8784)]
    public void ParseJson_GracePeriodHours_TakesNumbersAndNumericStrings(string json, double hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), RuleParameters.ParseJson(json).GracePeriod);
    }

    [Fact]
    public void ParseJson_NullValue_IsAnEmptyString()
    {
        var parameters = RuleParameters.ParseJson("""{"ExemptionTagKey":null}""");

        Assert.Equal(string.Empty, parameters.ExemptionTagKey);
    }

    [Theory]
    [InlineData("ExemptUsernames", "ExemptUserNames")]
    [InlineData("allowedmfatypes", "AllowedMfaTypes")]
    [InlineData("GRACEPERIODHOURS", "GracePeriodHours")]
    [InlineData("exemptiontagkey", "ExemptionTagKey")]
    public void Parse_KeyInTheWrongCase_IsAnErrorWithDidYouMean(string key, string known)
    {
        var error = Assert.Throws<RuleParametersException>(() => RuleParameters.Parse(new Dictionary<string, string> { [key] = "x" }));

        Assert.Contains($"unknown rule parameter {key} (did you mean {known}?)", error.Message, StringComparison.Ordinal);
        Assert.Contains("known parameters: ExemptUserNames, ExemptPathPrefixes, ExemptionTagKey, AllowedMfaTypes, NoPasswordResult, GracePeriodHours", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_IsAnErrorListingTheKnownKeys()
    {
        var error = Assert.Throws<RuleParametersException>(() => RuleParameters.ParseJson("""{"myParameterKey":"myParameterValue"}"""));

        Assert.StartsWith("unknown rule parameter myParameterKey; known parameters:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralUnknownKeys_NamesEachInOrder()
    {
        var error = Assert.Throws<RuleParametersException>(() => RuleParameters.ParseJson("""{"zeta":"1","AllowedMFATypes":"fido","alpha":"2"}"""));

        Assert.StartsWith("unknown rule parameter AllowedMFATypes (did you mean AllowedMfaTypes?), alpha, zeta;", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKeyNextToValidOnes_StillFails()
    {
        // A typo must not silently leave the other settings in force with the misspelt one ignored.
        Assert.Throws<RuleParametersException>(() => RuleParameters.ParseJson("""{"AllowedMfaTypes":"fido","ExemptUsernames":"alice"}"""));
    }

    [Theory]
    [InlineData("not json", "rule parameters are not valid JSON")]
    [InlineData("[1,2]", "rule parameters must be a JSON object, got Array")]
    [InlineData("\"text\"", "rule parameters must be a JSON object, got String")]
    [InlineData("""{"ExemptUserNames":["a","b"]}""", "rule parameter ExemptUserNames must be a string, got Array")]
    [InlineData("""{"ExemptUserNames":{"a":1}}""", "rule parameter ExemptUserNames must be a string, got Object")]
    public void ParseJson_NotAnObjectOfStrings_SaysWhatIsWrong(string json, string message)
    {
        var error = Assert.Throws<RuleParametersException>(() => RuleParameters.ParseJson(json));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("virtual", (int)MfaKinds.Virtual)]
    [InlineData("HARDWARE", (int)MfaKinds.Hardware)]
    [InlineData(" Fido ", (int)MfaKinds.Fido)]
    [InlineData("virtual,hardware", (int)(MfaKinds.Virtual | MfaKinds.Hardware))]
    [InlineData("fido,fido", (int)MfaKinds.Fido)]
    [InlineData("virtual,hardware,fido", (int)MfaKinds.All)]
    public void Parse_AllowedMfaTypes_ReadsEachKind(string value, int expected)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.AllowedMfaTypesKey] = value });

        Assert.Equal((MfaKinds)expected, parameters.AllowedMfaTypes);
    }

    [Theory]
    [InlineData("totp", "AllowedMfaTypes value 'totp' is not an MFA type; use any of virtual, hardware, fido (comma separated)")]
    [InlineData("virtual;fido", "AllowedMfaTypes value 'virtual;fido' is not an MFA type")]
    [InlineData("", "AllowedMfaTypes is empty")]
    [InlineData(" , ", "AllowedMfaTypes is empty")]
    public void Parse_BadAllowedMfaTypes_Fails(string value, string message)
    {
        var error = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.AllowedMfaTypesKey] = value }));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NOT_APPLICABLE", (int)ComplianceType.NotApplicable)]
    [InlineData(" COMPLIANT ", (int)ComplianceType.Compliant)]
    public void Parse_NoPasswordResult_TakesTheTwoAllowedVerdicts(string value, int expected)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.NoPasswordResultKey] = value });

        Assert.Equal((ComplianceType)expected, parameters.NoPasswordResult);
    }

    [Theory]
    [InlineData("NON_COMPLIANT")]
    [InlineData("INSUFFICIENT_DATA")]
    [InlineData("compliant")]
    [InlineData("")]
    public void Parse_NoPasswordResultOtherValue_Fails(string value)
    {
        var error = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.NoPasswordResultKey] = value }));

        Assert.Contains("use NOT_APPLICABLE (the default) or COMPLIANT", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1", "must be between 0 and 8784 hours")]
    [InlineData("8785", "must be between 0 and 8784 hours")]
    [InlineData("24h", "is not a number of hours")]
    [InlineData("NaN", "is not a number of hours")]
    [InlineData("Infinity", "is not a number of hours")]
    [InlineData("1,5", "is not a number of hours")]
    [InlineData("", "is not a number of hours")]
    public void Parse_BadGracePeriodHours_Fails(string value, string message)
    {
        var error = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.GracePeriodHoursKey] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("break-glass/", "is not an IAM path")]
    [InlineData("/break-glass", "is not an IAM path")]
    [InlineData("/break glass/", "is not an IAM path")]
    [InlineData("/", "would exempt every user")]
    public void Parse_BadExemptPathPrefix_Fails(string value, string message)
    {
        var error = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptPathPrefixesKey] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExemptPathPrefixOverIamLimit_Fails()
    {
        var path = "/" + new string('a', 511) + "/";

        Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptPathPrefixesKey] = path }));
    }

    [Theory]
    [InlineData("aws:createdBy", "uses the reserved aws: prefix")]
    [InlineData("AWS:foo", "uses the reserved aws: prefix")]
    public void Parse_ReservedExemptionTagKey_Fails(string key, string message)
    {
        var error = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptionTagKeyKey] = key }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExemptionTagKeyOverIamLimit_Fails()
    {
        Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptionTagKeyKey] = new string('k', 129) }));
        Assert.Equal(128, RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptionTagKeyKey] = new string('k', 128) }).ExemptionTagKey.Length);
    }

    [Fact]
    public void Parse_ExemptionTagKey_IsTrimmed()
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptionTagKeyKey] = "  waiver  " });

        Assert.Equal("waiver", parameters.ExemptionTagKey);
    }

    [Fact]
    public void ToDictionary_ParsedBack_GivesTheSameParameters()
    {
        var original = RuleParameters.ParseJson("""
            {"ExemptUserNames":"bob,alice","ExemptPathPrefixes":"/break-glass/","ExemptionTagKey":"waiver",
             "AllowedMfaTypes":"fido,virtual","NoPasswordResult":"COMPLIANT","GracePeriodHours":"1.5"}
            """);

        var values = original.ToDictionary();
        var again = RuleParameters.Parse(values);

        Assert.Equal("alice,bob", values[RuleParameters.ExemptUserNamesKey]);
        Assert.Equal("virtual,fido", values[RuleParameters.AllowedMfaTypesKey]);
        Assert.Equal("1.5", values[RuleParameters.GracePeriodHoursKey]);
        Assert.Equal(original.ExemptUserNames.Order(StringComparer.Ordinal), again.ExemptUserNames.Order(StringComparer.Ordinal));
        Assert.Equal(original.ExemptPathPrefixes, again.ExemptPathPrefixes);
        Assert.Equal(original.ExemptionTagKey, again.ExemptionTagKey);
        Assert.Equal(original.AllowedMfaTypes, again.AllowedMfaTypes);
        Assert.Equal(original.NoPasswordResult, again.NoPasswordResult);
        Assert.Equal(original.GracePeriod, again.GracePeriod);
    }

    [Fact]
    public void ToDictionary_Defaults_RoundTrip()
    {
        var again = RuleParameters.Parse(RuleParameters.Default.ToDictionary());

        Assert.Equal(RuleParameters.Default.AllowedMfaTypes, again.AllowedMfaTypes);
        Assert.Empty(again.ExemptUserNames);
        Assert.Empty(again.ExemptPathPrefixes);
        Assert.Equal(TimeSpan.Zero, again.GracePeriod);
    }

    [Fact]
    public void ParseJson_ChangeReportingNotGiven_IsOffWithASevenDayRefresh()
    {
        var parameters = RuleParameters.ParseJson(null);

        Assert.False(parameters.ReportChangesOnly);
        Assert.Equal(7, parameters.RefreshDays);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    public void Parse_ReportChangesOnly_TakesTrueOrFalse(string value, bool expected)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ReportChangesOnlyKey] = value });

        Assert.Equal(expected, parameters.ReportChangesOnly);
    }

    [Fact]
    public void ParseJson_ReportChangesOnlyAsJsonBoolean_IsAccepted()
    {
        Assert.True(RuleParameters.ParseJson("""{"ReportChangesOnly":true,"RefreshDays":14}""").ReportChangesOnly);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    public void Parse_ReportChangesOnlyNotABoolean_FailsNamingKeyAndValue(string value)
    {
        var e = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ReportChangesOnlyKey] = value }));

        Assert.Contains(RuleParameters.ReportChangesOnlyKey, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 14 ", 14)]
    [InlineData("30", 30)]
    public void Parse_RefreshDaysInRange_IsTaken(string value, int expected)
    {
        Assert.Equal(expected, RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.RefreshDaysKey] = value }).RefreshDays);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("31")]
    [InlineData("-1")]
    [InlineData("7.5")]
    [InlineData("a week")]
    public void Parse_RefreshDaysOutOfRangeOrNotWhole_FailsNamingTheRange(string value)
    {
        var e = Assert.Throws<RuleParametersException>(() =>
            RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.RefreshDaysKey] = value }));

        Assert.Contains(RuleParameters.RefreshDaysKey, e.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 30", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDictionary_ChangeReporting_RoundTrips()
    {
        var original = RuleParameters.ParseJson("""{"ReportChangesOnly":"true","RefreshDays":"14"}""");

        var again = RuleParameters.Parse(original.ToDictionary());

        Assert.True(again.ReportChangesOnly);
        Assert.Equal(14, again.RefreshDays);
    }
}
