namespace Dfs.Common.Wire;

/// <summary>How a length or count is written in front of what it measures; each format picks one per field.</summary>
public enum WireLength : byte
{
    /// <summary>A little-endian u16: at most 65,535.</summary>
    UInt16,

    /// <summary>A little-endian i32; a negative value is malformed.</summary>
    Int32,

    /// <summary>An unsigned LEB128 varint; at most <see cref="int.MaxValue"/>.</summary>
    VarUInt,
}
