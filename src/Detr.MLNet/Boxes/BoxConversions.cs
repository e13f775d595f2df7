namespace Detr.MLNet.Boxes;

/// <summary>
/// The one place for box layout conversions of single boxes in float pixels or normalised units, as the reference's
/// util/box_ops.py (<c>Detr.Training.Boxes.BoxOps</c> does the same on tensors). Layouts: xyxy = x0,y0,x1,y1 (ML.NET's
/// columns), xywh = x,y,width,height (COCO files), cxcywh = centre and size (DETR's heads and YOLO labels).
/// </summary>
public static class BoxConversions
{
    /// <summary>x0,y0,x1,y1 → x,y,width,height; the size is a float difference, as every COCO file this library writes has it.</summary>
    public static (float X, float Y, float Width, float Height) XyxyToXywh(float x0, float y0, float x1, float y1) =>
        (x0, y0, x1 - x0, y1 - y0);

    /// <summary>
    /// x,y,width,height → x0,y0,x1,y1. COCO files hold doubles: the far corner is summed in double and only then rounded
    /// to float, so a box read from JSON loses no more than one rounding.
    /// </summary>
    public static (float X0, float Y0, float X1, float Y1) XywhToXyxy(double x, double y, double width, double height) =>
        ((float)x, (float)y, (float)(x + width), (float)(y + height));

    /// <summary>cx,cy,w,h → x0,y0,x1,y1 (the reference's box_cxcywh_to_xyxy).</summary>
    public static (float X0, float Y0, float X1, float Y1) CxCyWhToXyxy(float cx, float cy, float width, float height) =>
        (cx - 0.5f * width, cy - 0.5f * height, cx + 0.5f * width, cy + 0.5f * height);

    /// <summary>x0,y0,x1,y1 → cx,cy,w,h (the reference's box_xyxy_to_cxcywh).</summary>
    public static (float Cx, float Cy, float Width, float Height) XyxyToCxCyWh(float x0, float y0, float x1, float y1) =>
        ((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0);
}
