namespace Detr.MLNet.Scoring;

/// <summary>How a DETR ONNX model names its inputs and outputs.</summary>
public enum DetrOnnxLayout
{
    /// <summary>Detect from the model's input/output names and ranks.</summary>
    Auto,

    /// <summary>transformers/optimum export: <c>pixel_values</c> [N,3,H,W], optional <c>pixel_mask</c> [N,H,W]; outputs <c>logits</c>, <c>pred_boxes</c>.</summary>
    Transformers,

    /// <summary>facebookresearch/detr <c>torch.onnx.export</c>: one image input [3,H,W] or [N,3,H,W]; outputs <c>pred_logits</c>, <c>pred_boxes</c>.</summary>
    Reference,
}
