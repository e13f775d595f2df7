using System.Collections;

namespace Detr.Training.Weights;

/// <summary>
/// A Python dict, collections.OrderedDict or argparse.Namespace read from a pickle: its items in insertion order
/// (keys are strings, longs, bools, doubles or tuples as <c>object?[]</c>), plus any instance attributes it carried.
/// </summary>
public sealed class PickleDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly Dictionary<object, object?> _items = new(PickleKeyComparer.Instance);
    private readonly List<object> _order = [];

    /// <summary>Creates an empty dictionary standing for Python class <paramref name="className"/>.</summary>
    public PickleDict(string className = "builtins.dict") => ClassName = className;

    /// <summary>The Python class: builtins.dict, collections.OrderedDict or argparse.Namespace.</summary>
    public string ClassName { get; }

    /// <summary>Instance attributes set by the pickle's BUILD (for example a state dict's <c>_metadata</c>).</summary>
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Number of items.</summary>
    public int Count => _order.Count;

    /// <summary>The keys in insertion order.</summary>
    public IReadOnlyList<object> Keys => _order;

    /// <summary>The value stored under <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public object? this[object key]
    {
        get => _items.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No item '{key}' in the pickled {ClassName}.");
        set
        {
            if (!_items.ContainsKey(key))
                _order.Add(key);
            _items[key] = value;
        }
    }

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool ContainsKey(object key) => _items.ContainsKey(key);

    /// <summary>Looks up <paramref name="key"/>.</summary>
    public bool TryGetValue(object key, out object? value) => _items.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator()
    {
        foreach (var key in _order)
            yield return new KeyValuePair<object, object?>(key, _items[key]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class PickleKeyComparer : IEqualityComparer<object>
    {
        public static readonly PickleKeyComparer Instance = new();

        public new bool Equals(object? x, object? y)
        {
            if (x is object?[] a && y is object?[] b)
                return a.Length == b.Length && a.Zip(b).All(p => p.First is null ? p.Second is null : p.Second is not null && Equals(p.First, p.Second));
            return object.Equals(x, y);
        }

        public int GetHashCode(object obj)
        {
            if (obj is object?[] tuple)
            {
                var hash = new HashCode();
                foreach (var item in tuple)
                    hash.Add(item is null ? 0 : GetHashCode(item));
                return hash.ToHashCode();
            }
            return obj.GetHashCode();
        }
    }
}
