import CZlib
import Foundation

/// 8-bit grayscale PNG encoding (zlib deflate and CRC-32 from the system zlib).
public enum PNG {
    /// Encodes `pixels` (row-major, `width * height` bytes) as a grayscale PNG.
    public static func encodeGray(pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        precondition(pixels.count == width * height && width > 0 && height > 0, "pixel count does not match \(width)x\(height)")
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0)  // filter type: none
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0]  // bit depth 8, colour type 0 (gray), deflate, no filter, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", deflate(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = compress2(&output, &bound, input, uLong(input.count), 6)  // zlib's default level
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        return Array(output[0..<Int(bound)])
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png += bigEndian(UInt32(data.count))
        let body = typeBytes + data
        png += body
        png += bigEndian(UInt32(crc32(0, body, uInt(body.count))))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}

/// Lays out images with values in [0, 1] as a grid with a one-pixel gap.
public struct ImageGrid {
    public let pixels: [UInt8]
    public let width: Int
    public let height: Int

    /// `images` holds `count` images of `imageHeight * imageWidth` floats each.
    public init(images: UnsafePointer<Float>, count: Int, imageHeight: Int, imageWidth: Int,
                columns: Int? = nil, gap: Int = 1) {
        let columns = Swift.max(1, Swift.min(count, columns ?? Int(Double(count).squareRoot().rounded(.up))))
        let rows = (count + columns - 1) / columns
        width = columns * imageWidth + (columns + 1) * gap
        height = rows * imageHeight + (rows + 1) * gap
        var canvas = [UInt8](repeating: 32, count: width * height)
        for index in 0..<count {
            let top = gap + (index / columns) * (imageHeight + gap)
            let left = gap + (index % columns) * (imageWidth + gap)
            for y in 0..<imageHeight {
                for x in 0..<imageWidth {
                    let value = images[index * imageHeight * imageWidth + y * imageWidth + x]
                    let clamped = value.isNaN ? 0 : Swift.min(1, Swift.max(0, value))
                    canvas[(top + y) * width + left + x] = UInt8((clamped * 255).rounded())
                }
            }
        }
        pixels = canvas
    }

    public var png: [UInt8] { PNG.encodeGray(pixels: pixels, width: width, height: height) }
}
