using Dfs.Common.Validation;

namespace Dfs.Common.Tests.Validation;

public sealed class OptionsCheckTests
{
    [Fact]
    public void ThrowIfAny_WithSeveralBrokenRules_NamesEveryOneInOrder()
    {
        var check = new OptionsCheck()
            .Require(false, "Port must be from 0 to 65535 (is -1).")
            .Require(true, "Never shown.")
            .Require(false, "AckTimeout must be positive (is 00:00:00).");

        var error = Assert.Throws<ArgumentException>(check.ThrowIfAny);

        Assert.Equal("Port must be from 0 to 65535 (is -1). AckTimeout must be positive (is 00:00:00).", error.Message);
    }

    [Fact]
    public void ThrowIfAny_WithEveryRuleHolding_DoesNothing()
    {
        var check = new OptionsCheck().Require(true, "x").Require(true, "y");
        check.ThrowIfAny();
        Assert.Empty(check.Problems);
    }

    [Fact]
    public void ThrowIfAny_WithAnExceptionFactory_HandsItTheProblems()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new OptionsCheck().Require(false, "a").Require(false, "b").ThrowIfAny(p => new InvalidOperationException(string.Join("|", p))));
        Assert.Equal("a|b", error.Message);
    }
}
