using System.Collections;

namespace Dfs.Raft.ChunkServers;

/// <summary>
/// A chunk's holders with the version each holds, unpacked from <see cref="ChunkState.PackedHolders"/> as they were when it
/// was taken. A <c>foreach</c> over it allocates nothing (the duty pass walks every chunk's holders several times a second).
/// </summary>
internal readonly struct ChunkHolders(long[] packed, List<ServerState> serversByIndex) : IEnumerable<(ServerState Server, long Version)>
{
    public Enumerator GetEnumerator() => new(packed, serversByIndex);

    IEnumerator<(ServerState Server, long Version)> IEnumerable<(ServerState Server, long Version)>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator(long[] packed, List<ServerState> serversByIndex) : IEnumerator<(ServerState Server, long Version)>
    {
        private int _at = -1;

        public readonly (ServerState Server, long Version) Current =>
            (serversByIndex[ChunkState.ServerIndexOf(packed[_at])], ChunkState.VersionOf(packed[_at]));

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_at < packed.Length;

        public void Reset() => _at = -1;

        public readonly void Dispose()
        {
        }
    }
}
