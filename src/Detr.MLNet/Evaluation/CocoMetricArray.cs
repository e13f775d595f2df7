namespace Detr.MLNet.Evaluation;

/// <summary>A read-only multi-dimensional array of doubles stored row-major (C order), like a numpy array.</summary>
public sealed class CocoMetricArray
{
    private readonly double[] _values;
    private readonly int[] _dimensions;

    internal CocoMetricArray(double[] values, params int[] dimensions)
    {
        long expected = 1;
        foreach (int dimension in dimensions)
        {
            expected *= dimension;
        }

        if (expected != values.Length)
        {
            throw new ArgumentException($"{values.Length} values do not fill dimensions [{string.Join(", ", dimensions)}].");
        }

        _values = values;
        _dimensions = dimensions;
        Dimensions = Array.AsReadOnly(dimensions);
        Values = Array.AsReadOnly(values);
    }

    /// <summary>Size of each axis, outermost first.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>All values flattened in row-major order.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>The value at one index per axis.</summary>
    public double this[params ReadOnlySpan<int> index] => _values[FlatIndex(index)];

    /// <summary>All values as a span, row-major.</summary>
    public ReadOnlySpan<double> AsSpan() => _values;

    private int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != _dimensions.Length)
        {
            throw new ArgumentException($"Expected {_dimensions.Length} indices, got {index.Length}.", nameof(index));
        }

        int flat = 0;
        for (int axis = 0; axis < index.Length; axis++)
        {
            if ((uint)index[axis] >= (uint)_dimensions[axis])
            {
                throw new ArgumentOutOfRangeException(
                    nameof(index), index[axis], $"Index on axis {axis} must be below {_dimensions[axis]}.");
            }

            flat = flat * _dimensions[axis] + index[axis];
        }

        return flat;
    }
}
