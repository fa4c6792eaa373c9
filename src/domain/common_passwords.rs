//! A short list of very common passwords of policy length (10+), checked lower-cased.
//! Shorter ones are already refused by the length rule.

const COMMON: &[&str] = &[
    "1234567890", "12345678910", "123456789a", "1234567890a", "0987654321", "1111111111",
    "0000000000", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop", "qwerty1234", "qwerty12345",
    "qwerty123456", "asdfghjkl1", "zxcvbnm123", "password12", "password123", "password1234",
    "password!1", "passw0rd12", "p@ssw0rd12", "p@ssword123", "iloveyou12", "iloveyou123",
    "abcdefghij", "abcd123456", "abc1234567", "abcdef1234", "letmein123", "welcome123",
    "welcome1234", "sunshine12", "princess12", "football12", "baseball12", "basketball",
    "basketball1", "superman12", "starwars12", "dragonball", "pokemon123", "pokemon1234",
    "charizard1", "sneakers12", "sneakerhead", "jordan2323", "jordan23jordan", "michael123",
    "changeme123", "trustno1234", "administrator", "admin12345", "admin123456", "computer12",
    "monkey12345", "shadow1234", "master1234", "whatever12", "987654321a", "11223344556",
    "1122334455", "q1w2e3r4t5", "a1b2c3d4e5", "google1234", "samsung123", "internet12",
    "flipdesk123", "flipdesk1234", "demo-password", "summer2024", "summer2025", "summer2026",
    "winter2025", "winter2026", "spring2026", "autumn2026",
];

pub fn is_common(lowered: &str) -> bool {
    COMMON.contains(&lowered)
}
