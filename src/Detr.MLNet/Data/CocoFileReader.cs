using System.Text.Json;

namespace Detr.MLNet.Data;

/// <summary>Deserialises a COCO annotation file, naming the line and byte of any JSON error.</summary>
static class CocoFileReader
{
    public static CocoFile Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"COCO annotation file not found: '{path}'.", path);
        using var stream = File.OpenRead(path);
        try
        {
            return JsonSerializer.Deserialize<CocoFile>(stream) ?? throw new InvalidDataException($"{path}: the file is empty JSON (null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{path}: malformed COCO JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} (path {e.Path}): {e.Message}", e);
        }
    }
}
