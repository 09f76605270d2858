using Dfs.Common.Configuration;

namespace Dfs.Common.Tests.Configuration;

public sealed class NodeArgumentsTests
{
    [Fact]
    public void Parse_WithNoArguments_ReadsConfigJsonAndOverridesNothing()
    {
        var arguments = NodeArguments.Parse([], idRequired: false);

        Assert.Equal("config.json", arguments.ConfigPath);
        Assert.Null(arguments.Id);
        Assert.Null(arguments.ParentPid);
        Assert.Null(arguments.Host);
        Assert.Null(arguments.Port);
        Assert.False(arguments.NoLaunch);
        Assert.Empty(arguments.HostArguments);
    }

    [Fact]
    public void Parse_EveryFlag_SetsItsValue()
    {
        var arguments = NodeArguments.Parse(
            ["--config", "c.json", "--id", "c1", "--parent-pid", "42", "--host", "0.0.0.0", "--port", "7201", "--no-launch"], idRequired: true);

        Assert.Equal("c.json", arguments.ConfigPath);
        Assert.Equal("c1", arguments.Id);
        Assert.Equal(42, arguments.ParentPid);
        Assert.Equal("0.0.0.0", arguments.Host);
        Assert.Equal(7201, arguments.Port);
        Assert.True(arguments.NoLaunch);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("65535", 65535)]
    public void Parse_PortAtTheEdgesOfItsRange_IsAccepted(string text, int expected) =>
        Assert.Equal(expected, NodeArguments.Parse(["--port", text], idRequired: false).Port);

    [Fact]
    public void Parse_UnknownArguments_AreLeftForTheHostInOrder()
    {
        var arguments = NodeArguments.Parse(["--urls", "http://x", "--config", "c.json", "--Logging:LogLevel:Default=Debug"], idRequired: false);

        Assert.Equal(new[] { "--urls", "http://x", "--Logging:LogLevel:Default=Debug" }, arguments.HostArguments);
        Assert.Equal("c.json", arguments.ConfigPath);
    }

    [Theory]
    [InlineData("--config")]
    [InlineData("--id")]
    [InlineData("--parent-pid")]
    [InlineData("--host")]
    [InlineData("--port")]
    public void Parse_AFlagWithoutItsValue_NamesTheFlag(string flag)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeArguments.Parse([flag], idRequired: false));

        Assert.Equal($"{flag} needs a value.", error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("pid")]
    public void Parse_ParentPidThatIsNoProcessId_IsRefused(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeArguments.Parse(["--parent-pid", text], idRequired: false));

        Assert.Equal("--parent-pid needs a process id.", error.Message);
    }

    [Theory]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("+80")]
    [InlineData("http")]
    [InlineData("")]
    public void Parse_PortOutsideItsRange_IsRefusedWithTheValue(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeArguments.Parse(["--port", text], idRequired: false));

        Assert.Equal($"--port must be a number from 0 to 65535, not '{text}'.", error.Message);
    }

    [Fact]
    public void Parse_WithoutIdWhereOneIsRequired_SaysHowToNameTheNode()
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeArguments.Parse(["--config", "c.json"], idRequired: true));

        Assert.Equal("Missing --id: name the node of config.json this process runs, e.g. --id m1.", error.Message);
    }
}
