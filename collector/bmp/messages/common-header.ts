/** RFC 7854 §4.1 common header: version (1) = 3 | message length (4, whole message) | message type (1). */
export const BMP_COMMON_HEADER_LENGTH = 6;
export const BMP_VERSION = 3;
