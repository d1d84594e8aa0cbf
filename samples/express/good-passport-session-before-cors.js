// Sessions and passport are set up before cors: passport.initialize() and
// passport.session() only read the session and pass every request on, so
// cors still answers the preflight (204 with its headers).
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const cors = require('cors');

const app = express();

app.use(express.json());
app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.use(passport.session());
app.use(cors({ origin: 'https://app.example.com', credentials: true }));

app.get('/api/profile', (req, res) => res.json({ user: req.user || null }));
app.put('/api/profile', (req, res) => res.json({ saved: true }));

app.listen(3000);
