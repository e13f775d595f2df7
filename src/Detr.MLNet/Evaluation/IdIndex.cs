namespace Detr.MLNet.Evaluation;

/// <summary>
/// Position of each id in a sorted list of distinct ids. COCO ids are usually dense enough (val2017's 5,000 image ids
/// lie below 600,000) for a lookup table over their range, which costs one load per box instead of a hash; ids spread
/// too widely fall back to a dictionary.
/// </summary>
internal sealed class IdIndex
{
    /// <summary>Largest table, in entries, relative to the number of ids (and at least this many entries in any case).</summary>
    private const int TableEntriesPerId = 16;
    private const int SmallestTableLimit = 1 << 20;

    private readonly int _min;
    private readonly int[]? _table; // index + 1; 0 = not an id
    private readonly Dictionary<int, int>? _dictionary;

    public IdIndex(int[] sortedIds)
    {
        Count = sortedIds.Length;
        if (sortedIds.Length == 0)
        {
            _table = [];
            return;
        }

        _min = sortedIds[0];
        long range = (long)sortedIds[^1] - _min + 1;
        if (range <= Math.Max(SmallestTableLimit, (long)TableEntriesPerId * sortedIds.Length))
        {
            _table = new int[range];
            for (int i = 0; i < sortedIds.Length; i++)
            {
                _table[sortedIds[i] - _min] = i + 1;
            }
        }
        else
        {
            _dictionary = new Dictionary<int, int>(sortedIds.Length);
            for (int i = 0; i < sortedIds.Length; i++)
            {
                _dictionary[sortedIds[i]] = i;
            }
        }
    }

    /// <summary>Number of ids.</summary>
    public int Count { get; }

    /// <summary>The id's position in the sorted list, or -1 when it is not one of the ids.</summary>
    public int Find(int id)
    {
        if (_table is not null)
        {
            long offset = (long)id - _min;
            return (ulong)offset < (ulong)_table.Length ? _table[offset] - 1 : -1;
        }

        return _dictionary!.TryGetValue(id, out int index) ? index : -1;
    }
}
