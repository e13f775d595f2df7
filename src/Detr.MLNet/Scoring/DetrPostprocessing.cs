namespace Detr.MLNet.Scoring;

/// <summary>How a model's class logits become detections.</summary>
public enum DetrPostprocessing
{
    /// <summary>
    /// Read it from the model: its <c>detr.postprocess</c> metadata, else the logits' width against the known label
    /// count (C + 1 columns: softmax, C: sigmoid), else softmax (DETR).
    /// </summary>
    Auto,

    /// <summary>DETR: softmax over classes + no-object, one detection per query (<see cref="Postprocessing.DetrPostprocessor"/>).</summary>
    Softmax,

    /// <summary>Deformable DETR: a sigmoid per class, top-k over queries × classes (<see cref="Postprocessing.DetrSigmoidPostprocessor"/>).</summary>
    SigmoidTopK,
}
