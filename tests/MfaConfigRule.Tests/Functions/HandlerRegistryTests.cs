using MfaConfigRule.Functions;
using MfaConfigRule.LambdaRuntime;

namespace MfaConfigRule.Tests.Functions;

public sealed class HandlerRegistryTests
{
    private static readonly LambdaHandler Evaluate = (_, _) => Task.FromResult("evaluate");
    private static readonly LambdaHandler Trigger = (_, _) => Task.FromResult("trigger");

    [Fact]
    public void Create_KnownName_BuildsThatHandler()
    {
        var registry = new HandlerRegistry().Add("evaluate", () => Evaluate).Add("trigger", () => Trigger);

        Assert.Same(Trigger, registry.Create("trigger"));
    }

    [Fact]
    public void Create_KnownName_RunsOnlyThatFactory()
    {
        var built = new List<string>();
        var registry = new HandlerRegistry()
            .Add("evaluate", () => { built.Add("evaluate"); return Evaluate; })
            .Add("trigger", () => { built.Add("trigger"); return Trigger; });

        registry.Create("evaluate");

        Assert.Equal(["evaluate"], built);
    }

    [Fact]
    public void Create_UnknownName_FailsWithHandlerNotFoundListingValidNames()
    {
        var registry = new HandlerRegistry().Add("trigger", () => Trigger).Add("remediate", () => Trigger).Add("evaluate", () => Evaluate);

        var error = Assert.Throws<LambdaFunctionException>(() => registry.Create("bootstrap.handler"));

        Assert.Equal(HandlerRegistry.HandlerNotFoundErrorType, error.ErrorType);
        Assert.Contains("'bootstrap.handler'", error.Message);
        Assert.Contains("Valid handlers: evaluate, remediate, trigger.", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Create_NoName_FailsSayingTheSettingIsEmpty(string? name)
    {
        var registry = new HandlerRegistry().Add("evaluate", () => Evaluate);

        var error = Assert.Throws<LambdaFunctionException>(() => registry.Create(name));

        Assert.Contains("_HANDLER) is empty. Valid handlers: evaluate.", error.Message);
    }

    [Fact]
    public void Create_NameDiffersInCase_IsUnknown()
    {
        var registry = new HandlerRegistry().Add("evaluate", () => Evaluate);

        Assert.Throws<LambdaFunctionException>(() => registry.Create("Evaluate"));
    }

    [Fact]
    public void Add_SameNameTwice_Throws()
    {
        var registry = new HandlerRegistry().Add("evaluate", () => Evaluate);

        Assert.Throws<ArgumentException>(() => registry.Add("evaluate", () => Trigger));
    }
}
