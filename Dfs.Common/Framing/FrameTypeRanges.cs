namespace Dfs.Common.Framing;

/// <summary>
/// The one table of frame-type ranges: which protocol owns which <see cref="FrameHeader.Type"/> values. A port
/// that serves several protocols (a master's raft port serves Raft peers, clients and chunk-server heartbeats)
/// tells them apart by the first frame's type, so the ranges must never overlap.
/// </summary>
public static class FrameTypeRanges
{
    /// <summary>Every protocol's range, in order.</summary>
    public static IReadOnlyList<FrameTypeRange> All { get; } =
    [
        new("chunk protocol (reads, write pipelines, copies, reports)", 0x0001, 0x00FF),
        new("Raft peer transport", 0x0100, 0x01FF),
        new("master client protocol", 0x0200, 0x02FF),
        new("chunk-server heartbeats to masters", 0x0300, 0x03FF),
    ];

    /// <summary>The protocol that owns <paramref name="type"/>, or null for a type no protocol owns.</summary>
    public static FrameTypeRange? Owner(ushort type) => All.FirstOrDefault(r => type >= r.First && type <= r.Last);
}

/// <summary>The frame types [<paramref name="First"/>, <paramref name="Last"/>] belong to <paramref name="Protocol"/>.</summary>
public sealed record FrameTypeRange(string Protocol, ushort First, ushort Last);
