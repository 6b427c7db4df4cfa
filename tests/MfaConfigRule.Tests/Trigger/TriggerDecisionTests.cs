using CsCheck;
using MfaConfigRule.Trigger;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Trigger;

public sealed class TriggerDecisionTests
{
    private static readonly TriggerOptions Options = new();

    private static IamApiCallEvent Event(string name, DateTimeOffset? at = null, string? error = null) =>
        new("evt-1", name, at ?? Now.AddSeconds(-5), "alice", error);

    private static TriggerProgress Visible(DateTimeOffset? at = null) => new(at ?? Now, StartRefused: false, UserResolved: false, UserId: null);

    [Fact]
    public void Next_PasswordDeletedNotYetSeenInCloudTrail_LooksForTheEventEvenWhenAStartWasJustAccepted()
    {
        var iamEvent = Event("DeleteLoginProfile", Now.AddMinutes(-10));

        var step = TriggerDecision.Next(iamEvent, TriggerProgress.Received(iamEvent, Now), new StartHistory(Now.AddSeconds(-1), null), Now, Options);

        Assert.IsType<TriggerStep.LookForEvent>(step);
    }

    [Fact]
    public void Next_PasswordDeletedSeenAfterTheLastStart_IsNotCoveredByIt()
    {
        // The start came before CloudTrail showed the event: that run's sweep could not have learnt of it.
        var step = TriggerDecision.Next(Event("DeleteLoginProfile", Now.AddMinutes(-10)), Visible(Now.AddSeconds(-10)),
            new StartHistory(Now.AddSeconds(-70), null), Now, Options);

        Assert.IsType<TriggerStep.Start>(step);
    }

    [Fact]
    public void Next_StartAcceptedWithinTheMinute_ComesBackWhenConfigWillAcceptWithoutAsking()
    {
        var step = TriggerDecision.Next(Event("TagUser", Now.AddSeconds(-2)), Visible(), new StartHistory(Now.AddSeconds(-20), null), Now, Options);

        var later = Assert.IsType<TriggerStep.ComeBackAt>(step);
        Assert.Equal(Now.AddSeconds(40), later.At);
        Assert.True(later.Progress.StartRefused);
    }

    [Fact]
    public void Next_ComingBackAfterARefusal_LooksForACoveringResultBeforeAskingAgain()
    {
        var step = TriggerDecision.Next(Event("TagUser"), Visible() with { StartRefused = true }, new StartHistory(null, Now.AddSeconds(-60)), Now, Options);

        Assert.IsType<TriggerStep.LookForCoveringResult>(step);
    }

    [Fact]
    public void Next_ComingBackAfterAStartThatCoversTheChange_IsFinishedWithoutACall()
    {
        var step = TriggerDecision.Next(Event("TagUser", Now.AddMinutes(-2)), Visible(Now.AddMinutes(-2)) with { StartRefused = true },
            new StartHistory(Now.AddSeconds(-5), Now.AddSeconds(-65)), Now, Options);

        Assert.StartsWith("covered by the re-evaluation this function started at", Assert.IsType<TriggerStep.Finished>(step).Action, StringComparison.Ordinal);
    }

    private static readonly string[] EventNames = ["DeleteLoginProfile", "CreateLoginProfile", "DeactivateMFADevice", "TagUser", "GetUser"];

    private static readonly Gen<DateTimeOffset?> GenTime = Gen.Select(Gen.Int[-600, 600], Gen.Int[0, 9], (s, none) => none < 3 ? null : (DateTimeOffset?)Now.AddSeconds(s));

    [Fact]
    public void Next_AnyState_NeverFinishesAChangeWithoutAStartThatReadsItAndNeverComesBackInThePast()
    {
        Gen.Select(Gen.Int[0, EventNames.Length - 1].Select(i => EventNames[i]), Gen.Int[-900, 0], GenTime, Gen.Bool, GenTime, GenTime).Sample((name, eventOffset, visibleAt, refused, accepted, rejected) =>
        {
            var iamEvent = Event(name, Now.AddSeconds(eventOffset));
            var progress = new TriggerProgress(visibleAt, refused, false, null);
            var step = TriggerDecision.Next(iamEvent, progress, new StartHistory(accepted, rejected), Now, Options);
            switch (step)
            {
                case TriggerStep.Finished finished when finished.Action.StartsWith("covered", StringComparison.Ordinal):
                    // Covered only by a start this instance saw accepted, at least the margin after the call and, for a
                    // deleted password, after CloudTrail showed it.
                    Assert.NotNull(accepted);
                    Assert.NotNull(visibleAt);
                    Assert.True(accepted >= iamEvent.EventTime + Options.PropagationMargin);
                    if (name == "DeleteLoginProfile") Assert.True(accepted >= visibleAt);
                    break;
                case TriggerStep.Start or TriggerStep.LookForCoveringResult:
                    Assert.NotNull(visibleAt);
                    break;
                case TriggerStep.ComeBackAt later:
                    Assert.True(later.At > Now);
                    break;
            }
            if (name == "GetUser") Assert.IsType<TriggerStep.Finished>(step);
        });
    }
}
