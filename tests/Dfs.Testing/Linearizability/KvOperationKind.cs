namespace Dfs.Testing.Linearizability;

/// <summary>The operations of the key-value register model.</summary>
public enum KvOperationKind
{
    /// <summary>Read the value of a key (or learn it is absent).</summary>
    Get,

    /// <summary>Set a key to a value.</summary>
    Put,

    /// <summary>Remove a key.</summary>
    Delete,

    /// <summary>Set a key to a new value only if it currently holds the expected value (null: only if absent).</summary>
    CompareAndSwap,
}
