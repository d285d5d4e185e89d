// Package demo generates a realistic synthetic workspace (customers across
// LINE, WhatsApp, Messenger, the web shop, the app and the stores, with two
// years of browsing and orders) and loads it through the public GraphQL API.
package demo
