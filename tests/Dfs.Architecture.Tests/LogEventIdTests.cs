using System.Reflection;
using Dfs.Common.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Dfs.Architecture.Tests;

/// <summary>Every log event id lies in its component's range of <see cref="LogEventIds"/> and is used once.</summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Product = ProductAssemblies.All;

    private static IEnumerable<(MethodInfo Method, int Id)> LogMessages() =>
        from assembly in Product
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (method, attribute.EventId);

    [Fact]
    public void EveryLogMessage_HasAnIdInItsComponentsRange()
    {
        var messages = LogMessages().ToArray();
        Assert.NotEmpty(messages);
        var wrong = messages
            .Select(m => (m.Method, m.Id, Range: LogEventIds.For(m.Method.DeclaringType!.Namespace!)))
            .Where(m => m.Range is null || m.Id < m.Range.First || m.Id > m.Range.Last)
            .Select(m => $"{m.Method.DeclaringType!.FullName}.{m.Method.Name}: {m.Id} (range {(m.Range is null ? "none registered" : $"{m.Range.First}–{m.Range.Last}")})")
            .ToArray();
        Assert.True(wrong.Length == 0, "event ids outside their component's range in LogEventIds:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void EveryLogEventId_IsUsedOnce()
    {
        var duplicates = LogMessages().GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.Name}.{m.Method.Name}"))}")
            .ToArray();
        Assert.True(duplicates.Length == 0, "event ids used twice:\n" + string.Join("\n", duplicates));
    }

    [Fact]
    public void Ranges_DoNotOverlap()
    {
        var ranges = LogEventIds.All.OrderBy(r => r.First).ToArray();
        for (var i = 1; i < ranges.Length; i++)
        {
            Assert.True(ranges[i].First > ranges[i - 1].Last, $"{ranges[i - 1].NamespacePrefix} and {ranges[i].NamespacePrefix} overlap");
        }
    }
}
