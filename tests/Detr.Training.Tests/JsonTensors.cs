using System.Text.Json;
using static TorchSharp.torch;

namespace Detr.Training.Tests;

/// <summary>Nested JSON arrays of numbers (as the Python fixture scripts write them) as float tensors.</summary>
static class JsonTensors
{
    public static Tensor Floats(JsonElement nested)
    {
        var shape = new List<long>();
        for (var e = nested; e.ValueKind == JsonValueKind.Array; e = e.GetArrayLength() > 0 ? e[0] : default)
        {
            shape.Add(e.GetArrayLength());
            if (e.GetArrayLength() == 0) break;
        }
        var values = new List<float>();
        void Flatten(JsonElement e) { if (e.ValueKind == JsonValueKind.Array) foreach (var x in e.EnumerateArray()) Flatten(x); else values.Add(e.GetSingle()); }
        Flatten(nested);
        return tensor(values.ToArray(), shape.ToArray());
    }
}
