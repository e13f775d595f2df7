using Detr.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>
/// Reads the image of the current row for scoring, turning a missing or corrupt image into either a clear error
/// naming the row and file, or (when asked) an empty prediction plus a warning.
/// </summary>
sealed class DetrImageReader
{
    readonly ValueGetter<MLImage> _image;
    readonly ValueGetter<ReadOnlyMemory<char>>? _path;
    readonly DataViewRow _row;
    readonly bool _skipUnreadable;
    readonly long? _maxPixels;
    readonly Action<string> _warn;
    readonly Action<DetrUnreadableImage>? _onUnreadable;
    MLImage? _value;

    public DetrImageReader(DataViewRow row, int imageColumn, DetrScoringOptions options, Action<string> warn)
    {
        _row = row;
        _image = row.GetGetter<MLImage>(row.Schema[imageColumn]);
        var pathColumn = PathColumn(row.Schema);
        if (pathColumn is int index && row.IsColumnActive(row.Schema[index]))
            _path = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[index]);
        _skipUnreadable = options.SkipUnreadableImages;
        _maxPixels = options.MaxImagePixels;
        _warn = warn;
        _onUnreadable = options.OnUnreadableImage;
    }

    /// <summary>The text column naming the image file, when the input has one (only used in messages).</summary>
    public static int? PathColumn(DataViewSchema schema) =>
        schema.GetColumnOrNull(DetrColumnNames.ImagePath) is { Type: TextDataViewType } column ? column.Index : null;

    /// <summary>
    /// The current row's image as RGB, or null when it is unreadable and skipping is on. The file is checked (pixel
    /// limit, truncation) before the image column is read, because reading it is what decodes.
    /// </summary>
    public RgbImage? Read()
    {
        try
        {
            string? checkedPath = ImageFileGuard.CheckBeforeDecode(CurrentPath(), _maxPixels);
            _image(ref _value!);
            if (_value is null)
                throw new InvalidDataException("the image column is empty (no file was loaded)");
            ImageFileGuard.CheckDecoded(_value, checkedPath, _maxPixels);
            return RgbImage.FromMLImage(_value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string? path = SafePath();
            string reason = Reason(e);
            string message = $"Row {_row.Position}{(path is null ? "" : $" (image '{path}')")}: cannot read the image ({reason}).";
            if (!_skipUnreadable)
                throw new InvalidDataException(message + " Fix or remove the file, or set SkipUnreadableImages to score it as empty.", e);
            _warn(message + " Scored as no detections (SkipUnreadableImages).");
            _onUnreadable?.Invoke(new DetrUnreadableImage(_row.Position, path, reason));
            return null;
        }
    }

    string? CurrentPath()
    {
        if (_path is null)
            return null;
        ReadOnlyMemory<char> path = default;
        _path(ref path);
        return path.ToString();
    }

    // For messages: the path column's value, else the tag of what was loaded; null when neither can be had.
    string? SafePath()
    {
        if (_path is null)
            return _value?.Tag is { Length: > 0 } tag ? tag : null;
        try
        {
            return CurrentPath();
        }
        catch (Exception)
        {
            return null;
        }
    }

    // Trailing full stops dropped: the reason sits inside parentheses in a longer sentence.
    static string Reason(Exception e) => (e.InnerException is { } inner && e.Message.Length < 20 ? inner.Message : e.Message).TrimEnd('.');
}
