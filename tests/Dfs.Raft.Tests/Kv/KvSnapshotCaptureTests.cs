using Dfs.Client.Kv;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

/// <summary>A captured snapshot is the state at the moment of capture, whatever is applied before it is written out.</summary>
public sealed class KvSnapshotCaptureTests
{
    [Fact]
    public void CapturedSnapshot_WrittenAfterMoreApplies_HoldsTheStateAtCapture()
    {
        using var source = new KvTestMachine();
        source.Put("a", "1");
        source.Put("b", "2");
        var atCapture = new MemoryStream();
        source.Machine.WriteSnapshot(atCapture);

        var write = source.Machine.CaptureSnapshot();
        source.Put("a", "changed");
        source.Delete("b");
        source.Put("c", "3");
        var captured = new MemoryStream();
        write(captured);

        Assert.Equal(atCapture.ToArray(), captured.ToArray());
        using var restored = new KvStateMachine();
        restored.RestoreSnapshot(new MemoryStream(captured.ToArray()));
        Assert.Equal("1", S(restored.Get("a"u8)!.Value));
        Assert.NotNull(restored.Get("b"u8));
        Assert.Null(restored.Get("c"u8));
    }

    [Fact]
    public void CapturedSessionSnapshot_WrittenAfterMoreApplies_HoldsTheSessionsAndStateAtCapture()
    {
        using var kv = new KvStateMachine();
        var sessions = new SessionStateMachine(kv);
        var client = Guid.NewGuid();
        byte[] Put(long sequence, string key) =>
            new CommandEnvelope(client, sequence, 1, 1_000 + sequence, KvCommandCodec.Encode(KvCommand.Put(B(key), B("v")))).Encode();
        sessions.Apply(1, Put(1, "a"));
        var atCapture = new MemoryStream();
        sessions.WriteSnapshot(atCapture);

        var write = sessions.CaptureSnapshot();
        sessions.Apply(2, Put(2, "b"));
        var captured = new MemoryStream();
        write(captured);

        Assert.Equal(atCapture.ToArray(), captured.ToArray());
    }
}
