namespace Dfs.Common.Validation;

/// <summary>
/// The one way options are validated: every rule is checked, each broken rule becomes a sentence that starts with
/// the field's name, and all of them are thrown together, so a person fixes a configuration in one go.
/// </summary>
/// <example>
/// <code>
/// new OptionsCheck()
///     .Require(Port is &gt;= 0 and &lt;= 65535, $"Port must be from 0 to 65535 (is {Port}).")
///     .Require(AckTimeout &gt; TimeSpan.Zero, $"AckTimeout must be positive (is {AckTimeout}).")
///     .ThrowIfAny();
/// </code>
/// </example>
public sealed class OptionsCheck
{
    private readonly List<string> _problems = [];

    /// <summary>The broken rules so far, in the order they were checked.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Records <paramref name="problem"/> (a sentence starting with the field's name) unless <paramref name="rule"/> holds.</summary>
    public OptionsCheck Require(bool rule, string problem)
    {
        if (!rule)
        {
            _problems.Add(problem);
        }
        return this;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every broken rule, the first one first, if any rule was broken.</summary>
    public void ThrowIfAny() => ThrowIfAny(problems => new ArgumentException(string.Join(" ", problems)));

    /// <summary>Throws what <paramref name="exception"/> makes of the broken rules, if any rule was broken.</summary>
    public void ThrowIfAny(Func<IReadOnlyList<string>, Exception> exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_problems.Count > 0)
        {
            throw exception(_problems);
        }
    }
}
