using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>A torch.*Storage class named in a checkpoint: the element dtype and size of its raw bytes.</summary>
internal sealed record TorchStorageType(string Name, ScalarType DType, int ElementSize)
{
    private static readonly Dictionary<string, TorchStorageType> Known = new TorchStorageType[]
    {
        new("FloatStorage", ScalarType.Float32, 4),
        new("DoubleStorage", ScalarType.Float64, 8),
        new("HalfStorage", ScalarType.Float16, 2),
        new("BFloat16Storage", ScalarType.BFloat16, 2),
        new("LongStorage", ScalarType.Int64, 8),
        new("IntStorage", ScalarType.Int32, 4),
        new("ShortStorage", ScalarType.Int16, 2),
        new("CharStorage", ScalarType.Int8, 1),
        new("ByteStorage", ScalarType.Byte, 1),
        new("BoolStorage", ScalarType.Bool, 1),
        new("UntypedStorage", ScalarType.Byte, 1),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The storage class <c>torch.<paramref name="name"/></c>, or null when it is not one we read.</summary>
    public static TorchStorageType? Find(string name) => Known.GetValueOrDefault(name);
}
