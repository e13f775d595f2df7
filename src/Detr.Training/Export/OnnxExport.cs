using Detr.Training.Export.Onnx;

namespace Detr.Training.Export;

/// <summary>An exported float32 graph and the part each of its nodes belongs to (by node name), before any precision pass.</summary>
sealed record OnnxExport(ModelProto Model, IReadOnlyDictionary<string, DetrModelParts> NodeParts);
