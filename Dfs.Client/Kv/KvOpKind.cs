namespace Dfs.Client.Kv;

/// <summary>What one operation (alone, or inside a transaction) does.</summary>
public enum KvOpKind : byte
{
    /// <summary>Read one key.</summary>
    Get = 1,

    /// <summary>Read the keys in [start, end), in order, up to a limit.</summary>
    Range = 2,

    /// <summary>Write one key.</summary>
    Put = 3,

    /// <summary>Delete one key.</summary>
    Delete = 4,

    /// <summary>Delete every key in [start, end).</summary>
    DeleteRange = 5,
}
